<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name></name>
    <message>
        <source>API answering… ({address})</source>
        <translation>API antwortet… ({address})</translation>
    </message>
    <message>
        <source>API on {address}</source>
        <translation>API auf {address}</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>Etwas ist schiefgelaufen: {error}</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>Code kopieren</translation>
    </message>
    <message>
        <source>Message (Enter sends, Shift+Enter for a new line, Esc stops)</source>
        <translation>Nachricht (Enter sendet, Umschalt+Enter für eine neue Zeile, Esc stoppt)</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>New conversation&apos;s settings</source>
        <translation>Einstellungen des neuen Gesprächs</translation>
    </message>
    <message>
        <source>This conversation&apos;s settings</source>
        <translation>Einstellungen dieses Gesprächs</translation>
    </message>
    <message>
        <source>None (R1 and its distills work best without one)</source>
        <translation>Keiner (R1 und seine Destillate arbeiten ohne am besten)</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>System-Prompt</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>{setting} (locked)</source>
        <translation>{setting} (gesperrt)</translation>
    </message>
    <message>
        <source>Kept with this conversation: reopening it later answers with these, whatever the defaults are then.</source>
        <translation>Bleibt bei diesem Gespräch: Wird es später wieder geöffnet, wird damit geantwortet, egal was dann voreingestellt ist.</translation>
    </message>
    <message>
        <source>The next conversation starts with these (the defaults are in Settings).</source>
        <translation>Das nächste Gespräch beginnt damit (die Voreinstellungen stehen in den Einstellungen).</translation>
    </message>
    <message>
        <source>Find in this conversation</source>
        <translation>In diesem Gespräch suchen</translation>
    </message>
    <message>
        <source>Matches</source>
        <translation>Treffer</translation>
    </message>
    <message>
        <source>Previous match</source>
        <translation>Vorheriger Treffer</translation>
    </message>
    <message>
        <source>Next match</source>
        <translation>Nächster Treffer</translation>
    </message>
    <message>
        <source>Close find</source>
        <translation>Suche schließen</translation>
    </message>
    <message>
        <source>{current} of {count}</source>
        <translation>{current} von {count}</translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>Keine Treffer</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>Choose a passphrase to encrypt your conversations:</source>
        <translation>Wählen Sie eine Passphrase, mit der Ihre Gespräche verschlüsselt werden:</translation>
    </message>
    <message>
        <source>Passphrase of your conversations:</source>
        <translation>Passphrase Ihrer Gespräche:</translation>
    </message>
    <message>
        <source>That passphrase does not open your conversations. Try again:</source>
        <translation>Diese Passphrase öffnet Ihre Gespräche nicht. Bitte noch einmal:</translation>
    </message>
    <message>
        <source>Hearth could not start: {error}</source>
        <translation>Hearth konnte nicht starten: {error}</translation>
    </message>
    <message>
        <source>Details are in the log: {path}</source>
        <translation>Einzelheiten stehen im Protokoll: {path}</translation>
    </message>
    <message>
        <source>Deleted {count} conversation(s) past the retention period.</source>
        <translation>{count} Gespräch(e) nach Ablauf der Aufbewahrungsfrist gelöscht.</translation>
    </message>
    <message>
        <source>None of the installed models is allowed by your organisation&apos;s policy.</source>
        <translation>Keines der installierten Modelle ist nach der Richtlinie Ihrer Organisation erlaubt.</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Context used</source>
        <translation>Genutzter Kontext</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>No model loaded.</source>
        <translation>Kein Modell geladen.</translation>
    </message>
    <message>
        <source>Notices</source>
        <translation>Hinweise</translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation>Das Modell wird geladen</translation>
    </message>
    <message>
        <source>Local API</source>
        <translation>Lokale API</translation>
    </message>
    <message>
        <source>The local API is off: {problem}</source>
        <translation>Die lokale API ist aus: {problem}</translation>
    </message>
    <message>
        <source>Delete ALL conversations and their key? This cannot be undone.</source>
        <translation>ALLE Gespräche und ihren Schlüssel löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Import conversations</source>
        <translation>Gespräche importieren</translation>
    </message>
    <message>
        <source>Imported {count} conversation(s).</source>
        <translation>{count} Gespräch(e) importiert.</translation>
    </message>
    <message>
        <source>This conversation is being answered. Stop the answer first, then delete it.</source>
        <translation>In diesem Gespräch wird gerade geantwortet. Stoppen Sie zuerst die Antwort, dann löschen Sie es.</translation>
    </message>
    <message>
        <source>Answer copied.</source>
        <translation>Antwort kopiert.</translation>
    </message>
    <message>
        <source>About Hearth</source>
        <translation>Über Hearth</translation>
    </message>
    <message>
        <source>Private chat with DeepSeek models on this computer.&lt;br&gt;Nothing you type leaves this machine.</source>
        <translation>Privater Chat mit DeepSeek-Modellen auf diesem Computer.&lt;br&gt;Nichts, was Sie eingeben, verlässt diesen Rechner.</translation>
    </message>
    <message>
        <source>Choose a model first (toolbar, or: hearth models download …).</source>
        <translation>Wählen Sie zuerst ein Modell (Werkzeugleiste oder: hearth models download …).</translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation>Bearbeiten und erneut senden</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>Nachricht:</translation>
    </message>
    <message>
        <source>Delete this message? This cannot be undone.</source>
        <translation>Diese Nachricht löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Delete this message and the message after it? This cannot be undone.</source>
        <translation>Diese Nachricht und die Nachricht danach löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Delete this message and the {count} messages after it? This cannot be undone.</source>
        <translation>Diese Nachricht und die {count} Nachrichten danach löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Delete a message</source>
        <translation>Eine Nachricht löschen</translation>
    </message>
    <message>
        <source>Backend: {backend}.</source>
        <translation>Rechenwerk: {backend}.</translation>
    </message>
    <message>
        <source>(click to copy)</source>
        <translation>(zum Kopieren klicken)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Neuer Chat</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>Gespräch &amp;exportieren…</translation>
    </message>
    <message>
        <source>&amp;Import conversations…</source>
        <translation>Gespräche &amp;importieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Conversation</source>
        <translation>&amp;Gespräch</translation>
    </message>
    <message>
        <source>&amp;Find in conversation</source>
        <translation>Im Gespräch &amp;finden</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>Gespräche &amp;durchsuchen</translation>
    </message>
    <message>
        <source>Write a &amp;message</source>
        <translation>&amp;Nachricht schreiben</translation>
    </message>
    <message>
        <source>&amp;Stop answering</source>
        <translation>Antwort &amp;stoppen</translation>
    </message>
    <message>
        <source>&amp;Regenerate last answer</source>
        <translation>Letzte Antwort neu &amp;erzeugen</translation>
    </message>
    <message>
        <source>&amp;Copy last answer</source>
        <translation>Letzte Antwort &amp;kopieren</translation>
    </message>
    <message>
        <source>Conversation se&amp;ttings…</source>
        <translation>Gesprächs&amp;einstellungen…</translation>
    </message>
    <message>
        <source>Re&amp;name…</source>
        <translation>&amp;Umbenennen…</translation>
    </message>
    <message>
        <source>&amp;Pin / unpin</source>
        <translation>&amp;Anheften / lösen</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>Pre&amp;vious conversation</source>
        <translation>&amp;Vorheriges Gespräch</translation>
    </message>
    <message>
        <source>Ne&amp;xt conversation</source>
        <translation>Nä&amp;chstes Gespräch</translation>
    </message>
    <message>
        <source>&amp;Models</source>
        <translation>&amp;Modelle</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelle…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Show &amp;sidebar</source>
        <translation>&amp;Seitenleiste zeigen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>&amp;About Hearth</source>
        <translation>Über &amp;Hearth</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Die Nachricht senden</translation>
    </message>
    <message>
        <source>New line in the message</source>
        <translation>Neue Zeile in der Nachricht</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tasten</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Neu erzeugen</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Copy the message as Markdown</source>
        <translation>Die Nachricht als Markdown kopieren</translation>
    </message>
    <message>
        <source>Edit and send again (the old version stays as a branch)</source>
        <translation>Bearbeiten und erneut senden (die alte Fassung bleibt als Zweig)</translation>
    </message>
    <message>
        <source>Answer again (the old answer stays as a branch)</source>
        <translation>Erneut antworten (die alte Antwort bleibt als Zweig)</translation>
    </message>
    <message>
        <source>Continue the answer where it stopped</source>
        <translation>Die Antwort dort fortsetzen, wo sie aufhörte</translation>
    </message>
    <message>
        <source>Delete this message</source>
        <translation>Diese Nachricht löschen</translation>
    </message>
    <message>
        <source>Show reasoning</source>
        <translation>Überlegungen zeigen</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Überlegungen</translation>
    </message>
    <message>
        <source>Thought for {seconds} s</source>
        <translation>{seconds} s lang überlegt</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>Überlegt…</translation>
    </message>
    <message>
        <source>Enter sends · Shift+Enter for a new line · F1 lists the keyboard shortcuts</source>
        <translation>Enter sendet · Umschalt+Enter für eine neue Zeile · F1 zeigt die Tastenkürzel</translation>
    </message>
    <message>
        <source>{speaker} message</source>
        <translation>Nachricht von {speaker}</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>Vorherige Fassung</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>Nächste Fassung</translation>
    </message>
    <message>
        <source>Why the answer failed</source>
        <translation>Warum die Antwort fehlschlug</translation>
    </message>
    <message>
        <source>The answer failed.</source>
        <translation>Die Antwort ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Gespräch</translation>
    </message>
    <message>
        <source>Show earlier messages</source>
        <translation>Frühere Nachrichten zeigen</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>Noch keine Nachrichten</translation>
    </message>
    <message>
        <source>Show {count} earlier messages ({hidden} not shown)</source>
        <translation>{count} frühere Nachrichten zeigen ({hidden} nicht angezeigt)</translation>
    </message>
    <message>
        <source>reading the conversation… {percent} %</source>
        <translation>liest das Gespräch… {percent} %</translation>
    </message>
    <message>
        <source>Sign out of the Hub</source>
        <translation>Vom Hub abmelden</translation>
    </message>
    <message>
        <source>Sign in to the Hub…</source>
        <translation>Beim Hub anmelden…</translation>
    </message>
    <message>
        <source>A token for {endpoint}, kept in the OS keyring (gated models, internal mirrors)</source>
        <translation>Ein Token für {endpoint}, im Schlüsselbund des Systems verwahrt (zugangsbeschränkte Modelle, interne Spiegel)</translation>
    </message>
    <message>
        <source>Access token for {endpoint}
(kept in the OS keyring, never in a file):</source>
        <translation>Zugangstoken für {endpoint}
(im Schlüsselbund des Systems verwahrt, nie in einer Datei):</translation>
    </message>
    <message>
        <source>Sign in to the Hub</source>
        <translation>Beim Hub anmelden</translation>
    </message>
    <message>
        <source>Import a GGUF model</source>
        <translation>GGUF-Modell importieren</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF-Modelle (*.gguf)</translation>
    </message>
    <message>
        <source>An import is running; wait for it to finish.</source>
        <translation>Ein Import läuft; warten Sie, bis er fertig ist.</translation>
    </message>
    <message>
        <source>Importing {file}…</source>
        <translation>{file} wird importiert…</translation>
    </message>
    <message>
        <source>Importing {file}… {share}{done} of {total} GB copied and hashed</source>
        <translation>{file} wird importiert… {share}{done} von {total} GB kopiert und geprüft</translation>
    </message>
    <message>
        <source>Verifying {model}…</source>
        <translation>{model} wird geprüft…</translation>
    </message>
    <message>
        <source>{model}: not verified.</source>
        <translation>{model}: nicht geprüft.</translation>
    </message>
    <message>
        <source>{model}: intact (every file matches its sha256).</source>
        <translation>{model}: unversehrt (jede Datei stimmt mit ihrer sha256 überein).</translation>
    </message>
    <message>
        <source>{model}: damaged.</source>
        <translation>{model}: beschädigt.</translation>
    </message>
    <message>
        <source>{model} is damaged:
{problems}

Remove it and download it again.</source>
        <translation>{model} ist beschädigt:
{problems}

Entfernen Sie es und laden Sie es erneut herunter.</translation>
    </message>
    <message>
        <source>Remove {model} ({quant})?</source>
        <translation>{model} ({quant}) entfernen?</translation>
    </message>
    <message>
        <source>It is the model loaded now: it is unloaded first, and no model answers until you choose one.</source>
        <translation>Es ist das gerade geladene Modell: Es wird zuerst entladen, und bis Sie ein anderes wählen, antwortet kein Modell.</translation>
    </message>
    <message>
        <source>Remove a model</source>
        <translation>Ein Modell entfernen</translation>
    </message>
    <message>
        <source>Removing {model}…</source>
        <translation>{model} wird entfernt…</translation>
    </message>
    <message>
        <source>Download of {model}</source>
        <translation>Download von {model}</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>{seconds} s left</source>
        <translation>noch {seconds} s</translation>
    </message>
    <message>
        <source>Resume the download of {model}</source>
        <translation>Den Download von {model} fortsetzen</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>Discard the partial download of {model}</source>
        <translation>Den unvollständigen Download von {model} verwerfen</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Catalog</source>
        <translation>Katalog</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>Downloads</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Model / quantization</source>
        <translation>Modell / Quantisierung</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>On this machine</source>
        <translation>Auf diesem Rechner</translation>
    </message>
    <message>
        <source>Download selected</source>
        <translation>Auswahl herunterladen</translation>
    </message>
    <message>
        <source>Downloads policy</source>
        <translation>Download-Richtlinie</translation>
    </message>
    <message>
        <source>Installed models</source>
        <translation>Installierte Modelle</translation>
    </message>
    <message>
        <source>Verification result</source>
        <translation>Prüfergebnis</translation>
    </message>
    <message>
        <source>Import GGUF…</source>
        <translation>GGUF importieren…</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Drop .gguf files here to import them.</source>
        <translation>Ziehen Sie .gguf-Dateien hierher, um sie zu importieren.</translation>
    </message>
    <message>
        <source>recommended: {quant}</source>
        <translation>empfohlen: {quant}</translation>
    </message>
    <message>
        <source>too big here</source>
        <translation>zu groß für diesen Rechner</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>installiert</translation>
    </message>
    <message>
        <source>recommended</source>
        <translation>empfohlen</translation>
    </message>
    <message>
        <source>Disk used: {size} GB</source>
        <translation>Belegter Speicherplatz: {size} GB</translation>
    </message>
    <message>
        <source>Interrupted downloads resume where they stopped:</source>
        <translation>Unterbrochene Downloads setzen dort fort, wo sie aufhörten:</translation>
    </message>
    <message>
        <source>Discarded the partial download of {model} {quant} ({size} GB freed).</source>
        <translation>Unvollständigen Download von {model} {quant} verworfen ({size} GB frei).</translation>
    </message>
    <message>
        <source>Choose a quantization in the list.</source>
        <translation>Wählen Sie eine Quantisierung in der Liste.</translation>
    </message>
    <message>
        <source>file not found</source>
        <translation>Datei nicht gefunden</translation>
    </message>
    <message>
        <source>Stop the answer first, then switch.</source>
        <translation>Stoppen Sie zuerst die Antwort, dann wechseln Sie.</translation>
    </message>
    <message>
        <source>Loading {model}…</source>
        <translation>{model} wird geladen…</translation>
    </message>
    <message>
        <source>Loading %p %</source>
        <translation>Lädt %p %</translation>
    </message>
    <message>
        <source>Connecting to {engine}…</source>
        <translation>Verbindung zu {engine}…</translation>
    </message>
    <message>
        <source>answers are computed on that server</source>
        <translation>Antworten werden auf diesem Server berechnet</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Kein Modell ist geladen.</translation>
    </message>
    <message>
        <source>{model} was removed, so it was unloaded first. Choose a model to chat.</source>
        <translation>{model} wurde entfernt und deshalb zuerst entladen. Wählen Sie ein Modell zum Chatten.</translation>
    </message>
    <message>
        <source>{model} is still answering.</source>
        <translation>{model} antwortet weiterhin.</translation>
    </message>
    <message>
        <source>{model} — on server {engine}</source>
        <translation>{model} — auf Server {engine}</translation>
    </message>
    <message>
        <source>Your organisation&apos;s servers</source>
        <translation>Server Ihrer Organisation</translation>
    </message>
    <message>
        <source>Answers are computed on the server {name} ({host}), not here.</source>
        <translation>Antworten werden auf dem Server {name} ({host}) berechnet, nicht hier.</translation>
    </message>
    <message>
        <source>Locked by your organisation&apos;s policy.</source>
        <translation>Durch die Richtlinie Ihrer Organisation gesperrt.</translation>
    </message>
    <message>
        <source>Automatic (the catalog&apos;s draft model, when installed)</source>
        <translation>Automatisch (das Entwurfsmodell des Katalogs, wenn installiert)</translation>
    </message>
    <message>
        <source>From the conversation (prompt lookup)</source>
        <translation>Aus dem Gespräch (Prompt-Lookup)</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>Erzeugung</translation>
    </message>
    <message>
        <source>Hardware</source>
        <translation>Rechner</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Erscheinungsbild</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>Datenschutz</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Answer length (tokens)</source>
        <translation>Antwortlänge (Tokens)</translation>
    </message>
    <message>
        <source>Context size (tokens)</source>
        <translation>Kontextgröße (Tokens)</translation>
    </message>
    <message>
        <source>GPU layers (auto, all or a number)</source>
        <translation>GPU-Schichten (auto, all oder eine Zahl)</translation>
    </message>
    <message>
        <source>CPU threads (0: automatic)</source>
        <translation>CPU-Threads (0: automatisch)</translation>
    </message>
    <message>
        <source>Speculative decoding (draft model)</source>
        <translation>Spekulatives Dekodieren (Entwurfsmodell)</translation>
    </message>
    <message>
        <source>A small model with the same tokenizer guesses tokens; the loaded model checks them in one batch.</source>
        <translation>Ein kleines Modell mit demselben Tokenizer rät Tokens; das geladene Modell prüft sie in einem Durchgang.</translation>
    </message>
    <message>
        <source>Memory for left conversations&apos; caches (MiB)</source>
        <translation>Speicher für Caches verlassener Gespräche (MiB)</translation>
    </message>
    <message>
        <source>Keep conversation caches on disk (encrypted with the store&apos;s key)</source>
        <translation>Gesprächs-Caches auf der Festplatte behalten (mit dem Schlüssel des Speichers verschlüsselt)</translation>
    </message>
    <message>
        <source>Delete conversations after (days, 0: never)</source>
        <translation>Gespräche löschen nach (Tagen, 0: nie)</translation>
    </message>
    <message>
        <source>Set to {days} days by your organisation&apos;s policy.</source>
        <translation>Durch die Richtlinie Ihrer Organisation auf {days} Tage gesetzt.</translation>
    </message>
    <message>
        <source>Light or dark</source>
        <translation>Hell oder dunkel</translation>
    </message>
    <message>
        <source>Language (from the next start)</source>
        <translation>Sprache (ab dem nächsten Start)</translation>
    </message>
    <message>
        <source>Serve an OpenAI-compatible API on 127.0.0.1</source>
        <translation>Eine OpenAI-kompatible API auf 127.0.0.1 anbieten</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Portnummer</translation>
    </message>
    <message>
        <source>Store API conversations</source>
        <translation>API-Gespräche speichern</translation>
    </message>
    <message>
        <source>Delete all conversations and their key…</source>
        <translation>Alle Gespräche und ihren Schlüssel löschen…</translation>
    </message>
    <message>
        <source>Delete all conversations</source>
        <translation>Alle Gespräche löschen</translation>
    </message>
    <message>
        <source>{setting} (locked by your organisation)</source>
        <translation>{setting} (von Ihrer Organisation gesperrt)</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>New chat (Ctrl+N)</source>
        <translation>Neuer Chat (Strg+N)</translation>
    </message>
    <message>
        <source>Search conversations (Ctrl+Shift+F)</source>
        <translation>Suchen (Strg+Umschalt+F)</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>Gespräche durchsuchen</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Gespräche</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation>Löschen rückgängig machen</translation>
    </message>
    <message>
        <source>{count} conversation(s)</source>
        <translation>{count} Gespräch(e)</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Ohne Titel</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Umbenennen…</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Lösen</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>Anheften</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Export… (not allowed by your organisation&apos;s policy)</source>
        <translation>Exportieren… (nach der Richtlinie Ihrer Organisation nicht erlaubt)</translation>
    </message>
    <message>
        <source>Rename conversation</source>
        <translation>Unterhaltung umbenennen</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Titel:</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>Gespräch exportieren</translation>
    </message>
    <message>
        <source>Deleted “{title}”.</source>
        <translation>„{title}“ gelöscht.</translation>
    </message>
    <message>
        <source>on server</source>
        <translation>auf dem Server</translation>
    </message>
    <message>
        <source>GPU layers {count}</source>
        <translation>GPU-Schichten {count}</translation>
    </message>
    <message>
        <source>context {used} / {total} · {tokens} tokens · {speed} tok/s</source>
        <translation>Kontext {used} / {total} · {tokens} Tokens · {speed} Tokens/s</translation>
    </message>
    <message>
        <source>context {used} / {total} tokens</source>
        <translation>Kontext {used} / {total} Tokens</translation>
    </message>
    <message>
        <source>{used} of {total} tokens of context used</source>
        <translation>{used} von {total} Tokens des Kontexts genutzt</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Thinking off</source>
        <translation>Denken aus</translation>
    </message>
    <message>
        <source>Thinking on</source>
        <translation>Denken an</translation>
    </message>
    <message>
        <source>Thinking: high</source>
        <translation>Denken: gründlich</translation>
    </message>
    <message>
        <source>Thinking: max</source>
        <translation>Denken: maximal</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>Denken</translation>
    </message>
    <message>
        <source>Thinking: model decides</source>
        <translation>Denken: das Modell entscheidet</translation>
    </message>
    <message>
        <source>This model&apos;s template has no thinking switch.</source>
        <translation>Die Vorlage dieses Modells hat keinen Schalter fürs Denken.</translation>
    </message>
    <message>
        <source>This model&apos;s template has no thinking switch; it decides for itself.</source>
        <translation>Die Vorlage dieses Modells hat keinen Schalter fürs Denken; es entscheidet selbst.</translation>
    </message>
    <message>
        <source>Welcome to Hearth</source>
        <translation>Willkommen bei Hearth</translation>
    </message>
    <message>
        <source>Download the recommended model</source>
        <translation>Das empfohlene Modell herunterladen</translation>
    </message>
    <message>
        <source>Import a GGUF file…</source>
        <translation>Eine GGUF-Datei importieren…</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Später</translation>
    </message>
    <message>
        <source>none usable</source>
        <translation>keine nutzbare</translation>
    </message>
    <message>
        <source>Private chat, on this computer</source>
        <translation>Privater Chat, auf diesem Computer</translation>
    </message>
    <message>
        <source>Hearth runs DeepSeek models here. Nothing you type leaves this machine.</source>
        <translation>Hearth führt DeepSeek-Modelle hier aus. Nichts, was Sie eingeben, verlässt diesen Rechner.</translation>
    </message>
    <message>
        <source>&lt;b&gt;This machine:&lt;/b&gt; {memory} GB memory, {cores} CPU cores, GPU: {gpu} (backend: {backend}).</source>
        <translation>&lt;b&gt;Dieser Rechner:&lt;/b&gt; {memory} GB Arbeitsspeicher, {cores} CPU-Kerne, GPU: {gpu} (Rechenwerk: {backend}).</translation>
    </message>
    <message>
        <source>&lt;b&gt;Recommended:&lt;/b&gt; {model} {quant} ({size} GB, {fit}).</source>
        <translation>&lt;b&gt;Empfohlen:&lt;/b&gt; {model} {quant} ({size} GB, {fit}).</translation>
    </message>
    <message>
        <source>Downloads are turned off on this computer (offline or by your organisation): import a GGUF file you already have, or ask IT to pre-install a model.</source>
        <translation>Downloads sind auf diesem Computer abgeschaltet (offline oder durch Ihre Organisation): Importieren Sie eine GGUF-Datei, die Sie schon haben, oder bitten Sie die IT, ein Modell vorzuinstallieren.</translation>
    </message>
    <message>
        <source>No network is used until you start a download.</source>
        <translation>Bis Sie einen Download starten, wird kein Netzwerk benutzt.</translation>
    </message>
    <message>
        <source>No models installed yet</source>
        <translation>Noch keine Modelle installiert</translation>
    </message>
    <message>
        <source>Manage models…</source>
        <translation>Modelle verwalten…</translation>
    </message>
    <message>
        <source>No model loaded — choose one</source>
        <translation>Kein Modell geladen — wählen Sie eines</translation>
    </message>
    <message>
        <source>The model that answers; click to choose another</source>
        <translation>Das Modell, das antwortet; klicken, um ein anderes zu wählen</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>Pinned</source>
        <translation>Angeheftet</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>Previous 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Previous 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>January</source>
        <translation>Januar</translation>
    </message>
    <message>
        <source>February</source>
        <translation>Februar</translation>
    </message>
    <message>
        <source>March</source>
        <translation>März</translation>
    </message>
    <message>
        <source>April</source>
        <translation>April</translation>
    </message>
    <message>
        <source>May</source>
        <translation>Mai</translation>
    </message>
    <message>
        <source>June</source>
        <translation>Juni</translation>
    </message>
    <message>
        <source>July</source>
        <translation>Juli</translation>
    </message>
    <message>
        <source>August</source>
        <translation>August</translation>
    </message>
    <message>
        <source>September</source>
        <translation>September</translation>
    </message>
    <message>
        <source>October</source>
        <translation>Oktober</translation>
    </message>
    <message>
        <source>November</source>
        <translation>November</translation>
    </message>
    <message>
        <source>December</source>
        <translation>Dezember</translation>
    </message>
    <message>
        <source>cut off at the length limit</source>
        <translation>an der Längengrenze abgeschnitten</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>interrupted (Hearth was closed while it was written)</source>
        <translation>unterbrochen (Hearth wurde geschlossen, während sie entstand)</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>answering…</source>
        <translation>antwortet…</translation>
    </message>
    <message>
        <source>full GPU</source>
        <translation>ganz auf der GPU</translation>
    </message>
    <message>
        <source>partial GPU ({used} of {total} layers)</source>
        <translation>teils auf der GPU ({used} von {total} Schichten)</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>nur CPU</translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation>passt nicht</translation>
    </message>
    <message>
        <source>{where}, {speed}</source>
        <translation>{where}, {speed}</translation>
    </message>
    <message>
        <source>all {total} layers on {gpu}</source>
        <translation>alle {total} Schichten auf {gpu}</translation>
    </message>
    <message>
        <source>{used} of {total} layers on {gpu}</source>
        <translation>{used} von {total} Schichten auf {gpu}</translation>
    </message>
    <message>
        <source>{where}; about {vram} GiB VRAM and {ram} GiB RAM at context {context}</source>
        <translation>{where}; etwa {vram} GiB VRAM und {ram} GiB RAM bei Kontext {context}</translation>
    </message>
    <message>
        <source>answers at once, without reasoning</source>
        <translation>antwortet sofort, ohne Überlegungen</translation>
    </message>
    <message>
        <source>reasons before answering</source>
        <translation>überlegt vor dem Antworten</translation>
    </message>
    <message>
        <source>reasons at length (V4&apos;s high effort)</source>
        <translation>überlegt ausführlich (hoher Aufwand von V4)</translation>
    </message>
    <message>
        <source>reasons as thoroughly as it can (V4&apos;s maximum effort)</source>
        <translation>überlegt so gründlich wie möglich (maximaler Aufwand von V4)</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
</context>
</TS>
