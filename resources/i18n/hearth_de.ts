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
        <source>Import progress</source>
        <translation>Importfortschritt</translation>
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
    <message>
        <source>Hearth is busy: {waiting} request(s) are waiting already.</source>
        <translation>Hearth ist beschäftigt: {waiting} Anfrage(n) warten bereits.</translation>
    </message>
    <message>
        <source>Try again in a moment.</source>
        <translation>Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>An answer is being written; stop it before deleting messages.</source>
        <translation>Eine Antwort wird gerade geschrieben; stoppen Sie sie, bevor Sie Nachrichten löschen.</translation>
    </message>
    <message>
        <source>{key} is answering now; stop the answer before removing it.</source>
        <translation>{key} antwortet gerade; stoppen Sie die Antwort, bevor Sie es entfernen.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is not a setting of a conversation.</source>
        <translation>„{name}“ ist keine Einstellung einer Unterhaltung.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy decides the {value}; it cannot be changed here.</source>
        <translation>Die Richtlinie Ihrer Organisation legt {value} fest; das lässt sich hier nicht ändern.</translation>
    </message>
    <message>
        <source>Cannot change the conversation&apos;s settings: {problem}.</source>
        <translation>Die Einstellungen der Unterhaltung lassen sich nicht ändern: {problem}.</translation>
    </message>
    <message>
        <source>{key} failed its last verification ({failed_verify}), so it is not loaded.</source>
        <translation>{key} hat die letzte Prüfung nicht bestanden ({failed_verify}) und wird daher nicht geladen.</translation>
    </message>
    <message>
        <source>Restore the file and run &apos;hearth models verify {model_id} --quant {quant}&apos; (or remove it and download it again).</source>
        <translation>Stellen Sie die Datei wieder her und führen Sie „hearth models verify {model_id} --quant {quant}“ aus (oder entfernen Sie das Modell und laden Sie es neu herunter).</translation>
    </message>
    <message>
        <source>Which model? Give --model PATH or an installed ID[:QUANT] (see &apos;hearth models list&apos;).</source>
        <translation>Welches Modell? Geben Sie --model PFAD oder eine installierte ID[:QUANT] an (siehe „hearth models list“).</translation>
    </message>
    <message>
        <source>Which model on {name}? Give --model; it serves: {offered}.</source>
        <translation>Welches Modell auf {name}? Geben Sie --model an; angeboten werden: {offered}.</translation>
    </message>
    <message>
        <source>{name} does not serve the model &apos;{model}&apos;.</source>
        <translation>{name} bietet das Modell „{model}“ nicht an.</translation>
    </message>
    <message>
        <source>It serves: {offered}.</source>
        <translation>Angeboten werden: {offered}.</translation>
    </message>
    <message>
        <source>The model is reloaded with the new context and hardware settings.</source>
        <translation>Das Modell wird mit den neuen Kontext- und Hardware-Einstellungen neu geladen.</translation>
    </message>
    <message>
        <source>The message is empty.</source>
        <translation>Die Nachricht ist leer.</translation>
    </message>
    <message>
        <source>The last message must be the user&apos;s.</source>
        <translation>Die letzte Nachricht muss vom Benutzer sein.</translation>
    </message>
    <message>
        <source>That answer is {status}; only a truncated, interrupted or stopped answer can be continued.</source>
        <translation>Diese Antwort ist {status}; nur eine abgeschnittene, unterbrochene oder gestoppte Antwort lässt sich fortsetzen.</translation>
    </message>
    <message>
        <source>This chat is not stored (--no-save), so it has no earlier answers to work on.</source>
        <translation>Dieser Chat wird nicht gespeichert (--no-save) und hat daher keine früheren Antworten, an denen sich weiterarbeiten ließe.</translation>
    </message>
    <message>
        <source>An answer is being written; stop it or wait for it to end.</source>
        <translation>Eine Antwort wird gerade geschrieben; stoppen Sie sie oder warten Sie, bis sie fertig ist.</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Kein Modell geladen.</translation>
    </message>
    <message>
        <source>Choose a model first.</source>
        <translation>Wählen Sie zuerst ein Modell.</translation>
    </message>
    <message>
        <source>The model ended its turn without closing its reasoning; that text is shown as the answer.</source>
        <translation>Das Modell hat seinen Zug beendet, ohne sein Nachdenken abzuschließen; dieser Text wird als Antwort gezeigt.</translation>
    </message>
    <message>
        <source>There is no thinking mode &apos;{level}&apos;.</source>
        <translation>Es gibt keinen Denkmodus „{level}“.</translation>
    </message>
    <message>
        <source>Choose one of: {value}.</source>
        <translation>Wählen Sie eines von: {value}.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy sets thinking to &apos;{thinking}&apos;.</source>
        <translation>Die Richtlinie Ihrer Organisation setzt das Nachdenken auf „{thinking}“.</translation>
    </message>
    <message>
        <source>The message is too long for the context window: it needs {tokens} tokens and the context holds {n_ctx}.</source>
        <translation>Die Nachricht ist zu lang für das Kontextfenster: Sie braucht {tokens} Token, der Kontext fasst {n_ctx}.</translation>
    </message>
    <message>
        <source>Shorten the message or load the model with a larger context (--ctx).</source>
        <translation>Kürzen Sie die Nachricht oder laden Sie das Modell mit einem größeren Kontext (--ctx).</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow the model &apos;{model}&apos; on the engine {name}.</source>
        <translation>Die Richtlinie Ihrer Organisation erlaubt das Modell „{model}“ auf der Engine {name} nicht.</translation>
    </message>
    <message>
        <source>Allowed there: {models}.</source>
        <translation>Dort erlaubt: {models}.</translation>
    </message>
    <message>
        <source>&apos;{url}&apos; is not an http(s) URL.</source>
        <translation>„{url}“ ist keine http(s)-URL.</translation>
    </message>
    <message>
        <source>Give the server&apos;s address, e.g. https://llm.example.internal/v1.</source>
        <translation>Geben Sie die Adresse des Servers an, z. B. https://llm.example.internal/v1.</translation>
    </message>
    <message>
        <source>The URL must not hold a user name or password.</source>
        <translation>Die URL darf keinen Benutzernamen und kein Passwort enthalten.</translation>
    </message>
    <message>
        <source>Store the API key with &apos;hearth engines login NAME&apos;.</source>
        <translation>Speichern Sie den API-Schlüssel mit „hearth engines login NAME“.</translation>
    </message>
    <message>
        <source>The URL &apos;{url}&apos; must not have a query or fragment.</source>
        <translation>Die URL „{url}“ darf weder Abfrage noch Fragment enthalten.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow engines added by users (&apos;{name}&apos; is one).</source>
        <translation>Die Richtlinie Ihrer Organisation erlaubt keine von Benutzern hinzugefügten Engines („{name}“ ist eine).</translation>
    </message>
    <message>
        <source>There is no engine called &apos;{name}&apos;.</source>
        <translation>Es gibt keine Engine namens „{name}“.</translation>
    </message>
    <message>
        <source>See &apos;hearth engines list&apos;; add one with &apos;hearth engines add NAME URL&apos;.</source>
        <translation>Siehe „hearth engines list“; fügen Sie eine mit „hearth engines add NAME URL“ hinzu.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow adding engines.</source>
        <translation>Die Richtlinie Ihrer Organisation erlaubt nicht, Engines hinzuzufügen.</translation>
    </message>
    <message>
        <source>Ask IT to declare the server in the policy.</source>
        <translation>Bitten Sie die IT, den Server in der Richtlinie einzutragen.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is not a usable engine name.</source>
        <translation>„{name}“ ist kein verwendbarer Engine-Name.</translation>
    </message>
    <message>
        <source>Use letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos; (at most 40).</source>
        <translation>Verwenden Sie Buchstaben, Ziffern, „.“, „_“ oder „-“ (höchstens 40).</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is an engine of your organisation&apos;s policy; choose another name.</source>
        <translation>„{name}“ ist eine Engine aus der Richtlinie Ihrer Organisation; wählen Sie einen anderen Namen.</translation>
    </message>
    <message>
        <source>The CA bundle {bundle} does not exist.</source>
        <translation>Das CA-Bundle {bundle} existiert nicht.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is declared by your organisation&apos;s policy and cannot be removed.</source>
        <translation>„{name}“ ist in der Richtlinie Ihrer Organisation festgelegt und kann nicht entfernt werden.</translation>
    </message>
    <message>
        <source>&apos;{spec}&apos; names no model: write remote:ENGINE/MODEL.</source>
        <translation>„{spec}“ nennt kein Modell: Schreiben Sie remote:ENGINE/MODELL.</translation>
    </message>
    <message>
        <source>Context {n_ctx} is more than this model was trained for; using {context_length}.</source>
        <translation>Kontext {n_ctx} ist mehr, als dieses Modell gelernt hat; verwendet wird {context_length}.</translation>
    </message>
    <message>
        <source>A chat template in &apos;{name}&apos; is not valid Jinja ({exc}).</source>
        <translation>Eine Chat-Vorlage in „{name}“ ist kein gültiges Jinja ({exc}).</translation>
    </message>
    <message>
        <source>Use a different file for this model.</source>
        <translation>Verwenden Sie für dieses Modell eine andere Datei.</translation>
    </message>
    <message>
        <source>llama.cpp could not load &apos;{name}&apos;.</source>
        <translation>llama.cpp konnte „{name}“ nicht laden.</translation>
    </message>
    <message>
        <source>The file may use a format or quantization this build does not support; see the log for details.</source>
        <translation>Die Datei verwendet vielleicht ein Format oder eine Quantisierung, die dieser Build nicht unterstützt; Einzelheiten stehen im Protokoll.</translation>
    </message>
    <message>
        <source>This file has no chat template; using Hearth&apos;s {family} template.</source>
        <translation>Diese Datei hat keine Chat-Vorlage; verwendet wird Hearths Vorlage für {family}.</translation>
    </message>
    <message>
        <source>The reasoning reached its budget of {reasoning_cap} tokens and was closed so the model answers.</source>
        <translation>Das Nachdenken hat sein Budget von {reasoning_cap} Token erreicht und wurde abgeschlossen, damit das Modell antwortet.</translation>
    </message>
    <message>
        <source>Loading &apos;{name}&apos; did not finish within {PROBE_TIMEOUT_S:.0f} s in a trial run; Hearth did not load it.</source>
        <translation>Das Laden von „{name}“ war in einem Probelauf nach {PROBE_TIMEOUT_S:.0f} s nicht fertig; Hearth hat es nicht geladen.</translation>
    </message>
    <message>
        <source>The file may be damaged; try another copy.</source>
        <translation>Die Datei ist vielleicht beschädigt; versuchen Sie eine andere Kopie.</translation>
    </message>
    <message>
        <source>llama.cpp crashed ({name}) while loading &apos;{name2}&apos; in a trial run, so Hearth did not load it.</source>
        <translation>llama.cpp ist beim Laden von „{name2}“ in einem Probelauf abgestürzt ({name}), daher hat Hearth es nicht geladen.</translation>
    </message>
    <message>
        <source>The file is damaged or was made by a converter this llama.cpp does not support; the log has llama.cpp&apos;s message.</source>
        <translation>Die Datei ist beschädigt oder stammt von einem Konverter, den dieses llama.cpp nicht unterstützt; die Meldung von llama.cpp steht im Protokoll.</translation>
    </message>
    <message>
        <source>Hearth stopped while loading {name} last time. It is not loaded by itself any more; choosing it again tries it in a trial run first.</source>
        <translation>Hearth wurde beim letzten Mal während des Ladens von {name} beendet. Es wird nicht mehr von selbst geladen; wenn Sie es wieder wählen, wird es zuerst in einem Probelauf versucht.</translation>
    </message>
    <message>
        <source>A logits processor runs only with a model loaded in Hearth, not on a server.</source>
        <translation>Ein Logits-Prozessor läuft nur mit einem in Hearth geladenen Modell, nicht auf einem Server.</translation>
    </message>
    <message>
        <source>{name} sent something that is not an OpenAI stream: {data!r}.</source>
        <translation>{name} hat etwas gesendet, das kein OpenAI-Stream ist: {data!r}.</translation>
    </message>
    <message>
        <source>{name} reported an error in the middle of the answer: {text}.</source>
        <translation>{name} hat mitten in der Antwort einen Fehler gemeldet: {text}.</translation>
    </message>
    <message>
        <source>The CA bundle {ca_bundle} cannot be used: {exc}.</source>
        <translation>Das CA-Bundle {ca_bundle} ist nicht verwendbar: {exc}.</translation>
    </message>
    <message>
        <source>Ask IT for the right PEM file.</source>
        <translation>Fragen Sie die IT nach der richtigen PEM-Datei.</translation>
    </message>
    <message>
        <source>{where} was not used: {tls}; nothing was sent.</source>
        <translation>{where} wurde nicht verwendet: {tls}; nichts wurde gesendet.</translation>
    </message>
    <message>
        <source>If your organisation uses its own certificate authority, IT sets ca_bundle for this engine (or add it with &apos;hearth engines add NAME URL --ca-bundle FILE&apos;).</source>
        <translation>Wenn Ihre Organisation eine eigene Zertifizierungsstelle hat, setzt die IT ca_bundle für diese Engine (oder fügen Sie sie mit „hearth engines add NAME URL --ca-bundle DATEI“ hinzu).</translation>
    </message>
    <message>
        <source>Hearth&apos;s network guard blocked the connection to {where}.</source>
        <translation>Hearths Netzwerkschutz hat die Verbindung zu {where} blockiert.</translation>
    </message>
    <message>
        <source>{where} answered, but not with an event stream ({exc}).</source>
        <translation>{where} hat geantwortet, aber nicht mit einem Ereignis-Stream ({exc}).</translation>
    </message>
    <message>
        <source>The URL may point at something other than an OpenAI-compatible API; check it with &apos;hearth engines list&apos;.</source>
        <translation>Die URL zeigt vielleicht auf etwas anderes als eine OpenAI-kompatible API; prüfen Sie sie mit „hearth engines list“.</translation>
    </message>
    <message>
        <source>{where} did not accept a connection within {connect_s:g} s.</source>
        <translation>{where} hat innerhalb von {connect_s:g} s keine Verbindung angenommen.</translation>
    </message>
    <message>
        <source>Check the address and the network.</source>
        <translation>Prüfen Sie die Adresse und das Netzwerk.</translation>
    </message>
    <message>
        <source>{where} sent nothing for {stall_s:g} s, so the answer was stopped; what arrived is kept.</source>
        <translation>{where} hat {stall_s:g} s lang nichts gesendet, daher wurde die Antwort gestoppt; was ankam, bleibt erhalten.</translation>
    </message>
    <message>
        <source>The server may be overloaded; try again, or tell IT if it keeps happening.</source>
        <translation>Der Server ist vielleicht überlastet; versuchen Sie es noch einmal oder sagen Sie der IT Bescheid, wenn es wieder passiert.</translation>
    </message>
    <message>
        <source>Cannot reach {where}: {exc}.</source>
        <translation>{where} ist nicht erreichbar: {exc}.</translation>
    </message>
    <message>
        <source>Check the engine&apos;s address and that the server is running.</source>
        <translation>Prüfen Sie die Adresse der Engine und ob der Server läuft.</translation>
    </message>
    <message>
        <source>The connection to {where} failed: {exc}.</source>
        <translation>Die Verbindung zu {where} ist fehlgeschlagen: {exc}.</translation>
    </message>
    <message>
        <source>{name} refused the request (HTTP {status}{said}): the API key is missing or wrong.</source>
        <translation>{name} hat die Anfrage abgelehnt (HTTP {status}{said}): Der API-Schlüssel fehlt oder ist falsch.</translation>
    </message>
    <message>
        <source>Store the key with &apos;hearth engines login {name}&apos; (or set HEARTH_ENGINE_TOKEN for this session).</source>
        <translation>Speichern Sie den Schlüssel mit „hearth engines login {name}“ (oder setzen Sie HEARTH_ENGINE_TOKEN für diese Sitzung).</translation>
    </message>
    <message>
        <source>{name} does not serve the model &apos;{model}&apos;{said}.</source>
        <translation>{name} bietet das Modell „{model}“ nicht an{said}.</translation>
    </message>
    <message>
        <source>&apos;hearth engines list&apos; shows the models {name} serves.</source>
        <translation>„hearth engines list“ zeigt die Modelle, die {name} anbietet.</translation>
    </message>
    <message>
        <source>{name} has no OpenAI-compatible API at {url} (HTTP 404).</source>
        <translation>{name} hat unter {url} keine OpenAI-kompatible API (HTTP 404).</translation>
    </message>
    <message>
        <source>Check the engine&apos;s URL: it usually ends in /v1.</source>
        <translation>Prüfen Sie die URL der Engine: Sie endet meist auf /v1.</translation>
    </message>
    <message>
        <source>{name} is busy (too many requests){said}.</source>
        <translation>{name} ist beschäftigt (zu viele Anfragen){said}.</translation>
    </message>
    <message>
        <source>Try again{wait}.</source>
        <translation>Versuchen Sie es noch einmal{wait}.</translation>
    </message>
    <message>
        <source>The conversation is longer than {name} can take for &apos;{model}&apos;{said}.</source>
        <translation>Die Unterhaltung ist länger, als {name} für „{model}“ verarbeiten kann{said}.</translation>
    </message>
    <message>
        <source>Start a new conversation, or shorten the question.</source>
        <translation>Beginnen Sie eine neue Unterhaltung oder kürzen Sie die Frage.</translation>
    </message>
    <message>
        <source>{name} rejected the request (HTTP {status}{said}).</source>
        <translation>{name} hat die Anfrage zurückgewiesen (HTTP {status}{said}).</translation>
    </message>
    <message>
        <source>{name} failed to answer (HTTP {status}{said}).</source>
        <translation>{name} konnte nicht antworten (HTTP {status}{said}).</translation>
    </message>
    <message>
        <source>Try again; if it keeps failing, tell IT that the server reports errors.</source>
        <translation>Versuchen Sie es noch einmal; wenn es weiter fehlschlägt, sagen Sie der IT, dass der Server Fehler meldet.</translation>
    </message>
    <message>
        <source>{name} answered /models with something that is not the OpenAI format.</source>
        <translation>{name} hat auf /models mit etwas geantwortet, das nicht dem OpenAI-Format entspricht.</translation>
    </message>
    <message>
        <source>Stopped while the chat template was being rendered.</source>
        <translation>Beim Anwenden der Chat-Vorlage gestoppt.</translation>
    </message>
    <message>
        <source>The model&apos;s chat template ran for more than {deadline_s:g} s without finishing; Hearth stopped it.</source>
        <translation>Die Chat-Vorlage des Modells lief länger als {deadline_s:g} s, ohne fertig zu werden; Hearth hat sie gestoppt.</translation>
    </message>
    <message>
        <source>The file&apos;s template is broken or hostile: use a different file for this model.</source>
        <translation>Die Vorlage der Datei ist defekt oder bösartig: Verwenden Sie für dieses Modell eine andere Datei.</translation>
    </message>
    <message>
        <source>The model&apos;s chat template refused the conversation: {message}</source>
        <translation>Die Chat-Vorlage des Modells hat die Unterhaltung abgelehnt: {message}</translation>
    </message>
    <message>
        <source>A tool call&apos;s arguments are not valid JSON ({exc}).</source>
        <translation>Die Argumente eines Tool-Aufrufs sind kein gültiges JSON ({exc}).</translation>
    </message>
    <message>
        <source>The model&apos;s chat template is not valid Jinja (line {lineno}: {message}).</source>
        <translation>Die Chat-Vorlage des Modells ist kein gültiges Jinja (Zeile {lineno}: {message}).</translation>
    </message>
    <message>
        <source>The model&apos;s chat template failed: {exc}</source>
        <translation>Die Chat-Vorlage des Modells ist fehlgeschlagen: {exc}</translation>
    </message>
    <message>
        <source>The model&apos;s chat template failed: {exc}.</source>
        <translation>Die Chat-Vorlage des Modells ist fehlgeschlagen: {exc}.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is not a DeepSeek model ({architecture} architecture). It runs with its own chat template; Hearth&apos;s catalog, sampling defaults and reasoning features are tuned for DeepSeek.</source>
        <translation>„{name}“ ist kein DeepSeek-Modell (Architektur {architecture}). Es läuft mit seiner eigenen Chat-Vorlage; Hearths Katalog, Sampling-Voreinstellungen und Denkfunktionen sind auf DeepSeek abgestimmt.</translation>
    </message>
    <message>
        <source>{name} has no quantization &apos;{name2}&apos;.</source>
        <translation>{name} hat keine Quantisierung „{name2}“.</translation>
    </message>
    <message>
        <source>Offered: {offered}.</source>
        <translation>Angeboten: {offered}.</translation>
    </message>
    <message>
        <source>No model &apos;{model_id}&apos; in the catalog.</source>
        <translation>Kein Modell „{model_id}“ im Katalog.</translation>
    </message>
    <message>
        <source>Run &apos;hearth models list&apos; to see the ids.</source>
        <translation>Führen Sie „hearth models list“ aus, um die IDs zu sehen.</translation>
    </message>
    <message>
        <source>The catalog {source} is invalid at {where}: {message}.</source>
        <translation>Der Katalog {source} ist ungültig bei {where}: {message}.</translation>
    </message>
    <message>
        <source>The catalog {source}: {id} points at {repo}, whose quants need the ik_llama.cpp fork.</source>
        <translation>Der Katalog {source}: {id} verweist auf {repo}, dessen Quantisierungen den Fork ik_llama.cpp brauchen.</translation>
    </message>
    <message>
        <source>The catalog {source}: {id} is a &apos;{architecture}&apos; model, an architecture the llama.cpp in this Hearth (llama-cpp-python {llama_cpp_version}) cannot run.</source>
        <translation>Der Katalog {source}: {id} ist ein „{architecture}“-Modell, eine Architektur, die das llama.cpp in diesem Hearth (llama-cpp-python {llama_cpp_version}) nicht ausführen kann.</translation>
    </message>
    <message>
        <source>The catalog {source}: {id} names itself as its draft.</source>
        <translation>Der Katalog {source}: {id} nennt sich selbst als Entwurfsmodell.</translation>
    </message>
    <message>
        <source>The catalog {source}: the draft of {id} is not smaller than it.</source>
        <translation>Der Katalog {source}: Das Entwurfsmodell von {id} ist nicht kleiner als dieses.</translation>
    </message>
    <message>
        <source>The catalog {source} lists the model id &apos;{id}&apos; twice.</source>
        <translation>Der Katalog {source} führt die Modell-ID „{id}“ zweimal.</translation>
    </message>
    <message>
        <source>The catalog {source} lists a quantization of &apos;{id}&apos; twice.</source>
        <translation>Der Katalog {source} führt eine Quantisierung von „{id}“ zweimal.</translation>
    </message>
    <message>
        <source>{where} is a single file but lists {names} files.</source>
        <translation>{where} ist eine einzelne Datei, nennt aber {names} Dateien.</translation>
    </message>
    <message>
        <source>{where}: shard {name} must be named -{index:05d}-of-{names:05d}.gguf, in order.</source>
        <translation>{where}: Teil {name} muss -{index:05d}-of-{names:05d}.gguf heißen, in Reihenfolge.</translation>
    </message>
    <message>
        <source>{where}: all shards must sit in one folder (llama.cpp finds them beside the first).</source>
        <translation>{where}: Alle Teile müssen in einem Ordner liegen (llama.cpp findet sie neben dem ersten).</translation>
    </message>
    <message>
        <source>{where}: part {name} must be named .gguf.part{index}of{names}, in order.</source>
        <translation>{where}: Teil {name} muss .gguf.part{index}of{names} heißen, in Reihenfolge.</translation>
    </message>
    <message>
        <source>Cannot read the catalog {path}: {strerror}.</source>
        <translation>Der Katalog {path} lässt sich nicht lesen: {strerror}.</translation>
    </message>
    <message>
        <source>The catalog {path} is not valid JSON: {exc}.</source>
        <translation>Der Katalog {path} ist kein gültiges JSON: {exc}.</translation>
    </message>
    <message>
        <source>The download needs {needed:.1f} GiB more, but only {free:.1f} GiB is free on {directory}.</source>
        <translation>Der Download braucht noch {needed:.1f} GiB, aber auf {directory} sind nur {free:.1f} GiB frei.</translation>
    </message>
    <message>
        <source>Free some space, or choose a smaller quantization.</source>
        <translation>Schaffen Sie Platz oder wählen Sie eine kleinere Quantisierung.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is damaged: {what}.</source>
        <translation>„{name}“ ist beschädigt: {what}.</translation>
    </message>
    <message>
        <source>The file is probably incomplete or corrupted; download it again.</source>
        <translation>Die Datei ist wahrscheinlich unvollständig oder beschädigt; laden Sie sie neu herunter.</translation>
    </message>
    <message>
        <source>Model file not found: {path}</source>
        <translation>Modelldatei nicht gefunden: {path}</translation>
    </message>
    <message>
        <source>Check the path, or import the model again.</source>
        <translation>Prüfen Sie den Pfad oder importieren Sie das Modell erneut.</translation>
    </message>
    <message>
        <source>&apos;{path}&apos; is not a file.</source>
        <translation>„{path}“ ist keine Datei.</translation>
    </message>
    <message>
        <source>Choose a .gguf model file.</source>
        <translation>Wählen Sie eine .gguf-Modelldatei.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is one piece of a byte-split model, not a GGUF file on its own.</source>
        <translation>„{name}“ ist ein Stück eines byteweise geteilten Modells, keine eigenständige GGUF-Datei.</translation>
    </message>
    <message>
        <source>Join all parts in order into one .gguf file first (for example: cat X.gguf.part1of2 X.gguf.part2of2 &gt; X.gguf).</source>
        <translation>Fügen Sie zuerst alle Teile der Reihe nach zu einer .gguf-Datei zusammen (zum Beispiel: cat X.gguf.part1of2 X.gguf.part2of2 &gt; X.gguf).</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is not a GGUF model file (only {file_size} bytes).</source>
        <translation>„{name}“ ist keine GGUF-Modelldatei (nur {file_size} Bytes).</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is not a GGUF model file.</source>
        <translation>„{name}“ ist keine GGUF-Modelldatei.</translation>
    </message>
    <message>
        <source>Hearth runs quantized models in the GGUF format (files ending in .gguf).</source>
        <translation>Hearth führt quantisierte Modelle im GGUF-Format aus (Dateien mit der Endung .gguf).</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; uses GGUF version {version}, which this version of Hearth cannot read.</source>
        <translation>„{name}“ verwendet GGUF-Version {version}, die diese Version von Hearth nicht lesen kann.</translation>
    </message>
    <message>
        <source>Use a file converted with a current llama.cpp.</source>
        <translation>Verwenden Sie eine mit einem aktuellen llama.cpp konvertierte Datei.</translation>
    </message>
    <message>
        <source>CPU (this build has no GPU offload; models run on the CPU)</source>
        <translation>CPU (dieser Build kann nicht auf die GPU auslagern; Modelle laufen auf der CPU)</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; has an impossible setting: {what}.</source>
        <translation>„{name}“ hat eine unmögliche Einstellung: {what}.</translation>
    </message>
    <message>
        <source>The file is damaged or was made by a broken converter; use another file.</source>
        <translation>Die Datei ist beschädigt oder stammt von einem fehlerhaften Konverter; verwenden Sie eine andere Datei.</translation>
    </message>
    <message>
        <source>{hostname} redirected the download to plain {scheme}://{hostname2}; Hearth does not follow a redirect from https to an unencrypted address.</source>
        <translation>{hostname} hat den Download auf unverschlüsseltes {scheme}://{hostname2} umgeleitet; Hearth folgt keiner Umleitung von https auf eine unverschlüsselte Adresse.</translation>
    </message>
    <message>
        <source>Tell IT: the mirror is misconfigured.</source>
        <translation>Sagen Sie der IT Bescheid: Der Mirror ist falsch eingerichtet.</translation>
    </message>
    <message>
        <source>{hostname} redirected the download to {host}, which is neither the Hub&apos;s CDN nor a host your organisation&apos;s policy allows, so Hearth did not follow it.</source>
        <translation>{hostname} hat den Download auf {host} umgeleitet, das weder das CDN des Hubs noch ein von der Richtlinie Ihrer Organisation erlaubter Host ist; Hearth ist der Umleitung nicht gefolgt.</translation>
    </message>
    <message>
        <source>IT can list the host in the policy&apos;s download_hosts.</source>
        <translation>Die IT kann den Host in download_hosts der Richtlinie eintragen.</translation>
    </message>
    <message>
        <source>The server&apos;s TLS certificate could not be verified ({exc}).</source>
        <translation>Das TLS-Zertifikat des Servers ließ sich nicht prüfen ({exc}).</translation>
    </message>
    <message>
        <source>If your organisation inspects TLS, its root certificate must be in the system&apos;s trust store.</source>
        <translation>Wenn Ihre Organisation TLS prüft, muss ihr Stammzertifikat im Zertifikatsspeicher des Systems liegen.</translation>
    </message>
    <message>
        <source>{repo} is gated: the Hub wants you to accept its terms and use a token.</source>
        <translation>{repo} ist geschützt: Der Hub verlangt, dass Sie die Bedingungen akzeptieren und ein Token verwenden.</translation>
    </message>
    <message>
        <source>Accept the terms on the model page, then run &apos;hearth models login&apos;.</source>
        <translation>Akzeptieren Sie die Bedingungen auf der Modellseite und führen Sie dann „hearth models login“ aus.</translation>
    </message>
    <message>
        <source>{endpoint} refused access to {repo} (HTTP 401).</source>
        <translation>{endpoint} hat den Zugriff auf {repo} verweigert (HTTP 401).</translation>
    </message>
    <message>
        <source>Run &apos;hearth models login&apos; with a token that can read it.</source>
        <translation>Führen Sie „hearth models login“ mit einem Token aus, das es lesen darf.</translation>
    </message>
    <message>
        <source>{repo} was not found on {endpoint}.</source>
        <translation>{repo} wurde auf {endpoint} nicht gefunden.</translation>
    </message>
    <message>
        <source>Check the mirror or the catalog entry.</source>
        <translation>Prüfen Sie den Mirror oder den Katalogeintrag.</translation>
    </message>
    <message>
        <source>Revision {revision} of {repo} was not found on {endpoint}.</source>
        <translation>Revision {revision} von {repo} wurde auf {endpoint} nicht gefunden.</translation>
    </message>
    <message>
        <source>{endpoint} has no such file in {repo}: {url}.</source>
        <translation>{endpoint} hat keine solche Datei in {repo}: {url}.</translation>
    </message>
    <message>
        <source>The catalog entry may be out of date.</source>
        <translation>Der Katalogeintrag ist vielleicht veraltet.</translation>
    </message>
    <message>
        <source>{endpoint} answered with an error: {exc}.</source>
        <translation>{endpoint} hat mit einem Fehler geantwortet: {exc}.</translation>
    </message>
    <message>
        <source>Try again later.</source>
        <translation>Versuchen Sie es später noch einmal.</translation>
    </message>
    <message>
        <source>{endpoint} was not used: {tls}.</source>
        <translation>{endpoint} wurde nicht verwendet: {tls}.</translation>
    </message>
    <message>
        <source>If your organisation runs its own certificate authority, its root certificate must be in the system&apos;s trust store (or in SSL_CERT_FILE).</source>
        <translation>Wenn Ihre Organisation eine eigene Zertifizierungsstelle betreibt, muss deren Stammzertifikat im Zertifikatsspeicher des Systems liegen (oder in SSL_CERT_FILE).</translation>
    </message>
    <message>
        <source>Cannot reach {endpoint} ({name__}).</source>
        <translation>{endpoint} ist nicht erreichbar ({name__}).</translation>
    </message>
    <message>
        <source>Check the network connection, the proxy, or HF_ENDPOINT for an internal mirror.</source>
        <translation>Prüfen Sie die Netzwerkverbindung, den Proxy oder HF_ENDPOINT für einen internen Mirror.</translation>
    </message>
    <message>
        <source>{path}: the server publishes sha256 {hub_sha}…, but the catalog pins {sha256}….</source>
        <translation>{path}: Der Server veröffentlicht sha256 {hub_sha}…, der Katalog legt aber {sha256}… fest.</translation>
    </message>
    <message>
        <source>The file at this revision is not the one the catalog vouches for; nothing was downloaded.</source>
        <translation>Die Datei in dieser Revision ist nicht die, für die der Katalog bürgt; nichts wurde heruntergeladen.</translation>
    </message>
    <message>
        <source>No sha256 is known for {path}: neither the catalog nor {endpoint} publishes one.</source>
        <translation>Für {path} ist keine sha256 bekannt: Weder der Katalog noch {endpoint} veröffentlicht eine.</translation>
    </message>
    <message>
        <source>Hearth does not install files it cannot verify. Ask your administrator to pin the hash in the catalog.</source>
        <translation>Hearth installiert keine Dateien, die es nicht prüfen kann. Bitten Sie Ihre Administration, die Prüfsumme im Katalog festzulegen.</translation>
    </message>
    <message>
        <source>{path}: the server publishes {published:,} bytes, but the catalog pins {size:,}.</source>
        <translation>{path}: Der Server veröffentlicht {published:,} Bytes, der Katalog legt aber {size:,} fest.</translation>
    </message>
    <message>
        <source>{endpoint} does not say how large {path} is.</source>
        <translation>{endpoint} gibt nicht an, wie groß {path} ist.</translation>
    </message>
    <message>
        <source>No token given.</source>
        <translation>Kein Token angegeben.</translation>
    </message>
    <message>
        <source>This model is split into {count} files and {missing} of them are missing: {missing2}.</source>
        <translation>Dieses Modell ist in {count} Dateien geteilt, und {missing} davon fehlen: {missing2}.</translation>
    </message>
    <message>
        <source>Put all parts in the same folder (or finish the download).</source>
        <translation>Legen Sie alle Teile in denselben Ordner (oder beenden Sie den Download).</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; lacks the required setting &apos;{architecture}.{suffix}&apos;.</source>
        <translation>„{name}“ fehlt die nötige Einstellung „{architecture}.{suffix}“.</translation>
    </message>
    <message>
        <source>The file was not produced by a compatible converter.</source>
        <translation>Die Datei stammt nicht von einem kompatiblen Konverter.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; does not say which model architecture it is.</source>
        <translation>„{name}“ gibt nicht an, welche Modellarchitektur es hat.</translation>
    </message>
    <message>
        <source>The file is incomplete.</source>
        <translation>Die Datei ist unvollständig.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; is a &apos;{arch}&apos; model, an architecture the llama.cpp in this Hearth (llama-cpp-python {llama_cpp_version}) cannot run.</source>
        <translation>„{name}“ ist ein „{arch}“-Modell, eine Architektur, die das llama.cpp in diesem Hearth (llama-cpp-python {llama_cpp_version}) nicht ausführen kann.</translation>
    </message>
    <message>
        <source>Use a GGUF made for mainline llama.cpp (files for forks such as ik_llama.cpp need that fork), or a newer Hearth.</source>
        <translation>Verwenden Sie ein GGUF für das normale llama.cpp (Dateien für Forks wie ik_llama.cpp brauchen diesen Fork) oder ein neueres Hearth.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; says the model has {split_count} parts, but {shards} were found.</source>
        <translation>„{name}“ gibt an, dass das Modell {split_count} Teile hat, gefunden wurden aber {shards}.</translation>
    </message>
    <message>
        <source>Download all parts of the model into the same folder.</source>
        <translation>Laden Sie alle Teile des Modells in denselben Ordner herunter.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; has no token embeddings.</source>
        <translation>„{name}“ hat keine Token-Embeddings.</translation>
    </message>
    <message>
        <source>GPU layers must be auto, all or a number of layers &gt;= 0, not {value}.</source>
        <translation>GPU-Schichten müssen auto, all oder eine Anzahl von Schichten &gt;= 0 sein, nicht {value}.</translation>
    </message>
    <message>
        <source>GPU layers must be auto, all or a number of layers, not &apos;{value}&apos;.</source>
        <translation>GPU-Schichten müssen auto, all oder eine Anzahl von Schichten sein, nicht „{value}“.</translation>
    </message>
    <message>
        <source>This build of Hearth has no GPU support, so the model runs on the CPU.</source>
        <translation>Dieser Build von Hearth hat keine GPU-Unterstützung, daher läuft das Modell auf der CPU.</translation>
    </message>
    <message>
        <source>{gpu_layers} GPU layers ({requested}) need about {vram_bytes:.1f} GiB of VRAM on {name}, but only {free:.1f} GiB is free.</source>
        <translation>{gpu_layers} GPU-Schichten ({requested}) brauchen etwa {vram_bytes:.1f} GiB VRAM auf {name}, aber nur {free:.1f} GiB sind frei.</translation>
    </message>
    <message>
        <source>Use --gpu-layers auto (Hearth places as many layers as fit), fewer layers, or a smaller context.</source>
        <translation>Verwenden Sie --gpu-layers auto (Hearth legt so viele Schichten auf die GPU, wie passen), weniger Schichten oder einen kleineren Kontext.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; needs about {need} of memory at context {n_ctx}, but only {have} is available.</source>
        <translation>„{name}“ braucht bei Kontext {n_ctx} etwa {need} Arbeitsspeicher, verfügbar sind aber nur {have}.</translation>
    </message>
    <message>
        <source>Use a smaller context (at most {fitting}), close other programs, or choose a smaller quantization.</source>
        <translation>Verwenden Sie einen kleineren Kontext (höchstens {fitting}), schließen Sie andere Programme oder wählen Sie eine kleinere Quantisierung.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; needs about {need} of memory, but only {have} is available.</source>
        <translation>„{name}“ braucht etwa {need} Arbeitsspeicher, verfügbar sind aber nur {have}.</translation>
    </message>
    <message>
        <source>Choose a smaller model or quantization, or close other programs.</source>
        <translation>Wählen Sie ein kleineres Modell oder eine kleinere Quantisierung, oder schließen Sie andere Programme.</translation>
    </message>
    <message>
        <source>Copying {name} failed: {strerror}.</source>
        <translation>Das Kopieren von {name} ist fehlgeschlagen: {strerror}.</translation>
    </message>
    <message>
        <source>Nothing was imported.</source>
        <translation>Nichts wurde importiert.</translation>
    </message>
    <message>
        <source>Import mode must be one of {value}, not &apos;{mode}&apos;.</source>
        <translation>Die Importart muss eine von {value} sein, nicht „{mode}“.</translation>
    </message>
    <message>
        <source>Cannot hard-link {name} into the models folder: {strerror}.</source>
        <translation>{name} lässt sich nicht per Hardlink in den Modellordner bringen: {strerror}.</translation>
    </message>
    <message>
        <source>Hard links only work on the same volume; import with --mode copy or --mode reference.</source>
        <translation>Hardlinks funktionieren nur auf demselben Laufwerk; importieren Sie mit --mode copy oder --mode reference.</translation>
    </message>
    <message>
        <source>The catalog pins no hash for this file, so it was identified by its name and size.</source>
        <translation>Der Katalog legt für diese Datei keine Prüfsumme fest, daher wurde sie an Name und Größe erkannt.</translation>
    </message>
    <message>
        <source>{key} is provided by your administrator in a shared folder and cannot be removed here.</source>
        <translation>{key} wird von Ihrer Administration in einem gemeinsamen Ordner bereitgestellt und kann hier nicht entfernt werden.</translation>
    </message>
    <message>
        <source>Hearth forgets {key}; its file stays where it is.</source>
        <translation>Hearth vergisst {key}; seine Datei bleibt, wo sie ist.</translation>
    </message>
    <message>
        <source>Hearth forgets {key}; its file stays where it is ({where}).</source>
        <translation>Hearth vergisst {key}; seine Datei bleibt, wo sie ist ({where}).</translation>
    </message>
    <message>
        <source>{names} and {more} more</source>
        <translation>{names} und {more} weitere</translation>
    </message>
    <message>
        <source>This deletes 1 file ({total:.1f} GB) from disk: {names}.</source>
        <translation>Dies löscht 1 Datei ({total:.1f} GB) vom Laufwerk: {names}.</translation>
    </message>
    <message>
        <source>This deletes {count} files ({total:.1f} GB) from disk: {names}.</source>
        <translation>Dies löscht {count} Dateien ({total:.1f} GB) vom Laufwerk: {names}.</translation>
    </message>
    <message>
        <source>{name} is missing</source>
        <translation>{name} fehlt</translation>
    </message>
    <message>
        <source>{name} has {size} bytes, expected {expected}</source>
        <translation>{name} hat {size} Bytes, erwartet werden {expected}</translation>
    </message>
    <message>
        <source>{name}: no published sha256 to compare with (hash {actual}…)</source>
        <translation>{name}: keine veröffentlichte sha256 zum Vergleich (Prüfsumme {actual}…)</translation>
    </message>
    <message>
        <source>{name} does not match its sha256 (expected {expected}…, got {actual}…)</source>
        <translation>{name} stimmt nicht mit seiner sha256 überein (erwartet {expected}…, erhalten {actual}…)</translation>
    </message>
    <message>
        <source>The pre-installed model {key} does not match its published hash: {problems}.</source>
        <translation>Das vorinstallierte Modell {key} stimmt nicht mit seiner veröffentlichten Prüfsumme überein: {problems}.</translation>
    </message>
    <message>
        <source>It was not loaded. Tell your IT department.</source>
        <translation>Es wurde nicht geladen. Sagen Sie Ihrer IT-Abteilung Bescheid.</translation>
    </message>
    <message>
        <source>{repo} was not found on {endpoint} (or needs a token: &apos;hearth models login&apos;).</source>
        <translation>{repo} wurde auf {endpoint} nicht gefunden (oder braucht ein Token: „hearth models login“).</translation>
    </message>
    <message>
        <source>{endpoint} answered with an error for {repo}: {exc}.</source>
        <translation>{endpoint} hat für {repo} mit einem Fehler geantwortet: {exc}.</translation>
    </message>
    <message>
        <source>No model {unknown} in the catalog.</source>
        <translation>Kein Modell {unknown} im Katalog.</translation>
    </message>
    <message>
        <source>The list of installed models ({file}) cannot be read: {exc}.</source>
        <translation>Die Liste der installierten Modelle ({file}) lässt sich nicht lesen: {exc}.</translation>
    </message>
    <message>
        <source>Move the file away; &apos;hearth models import&apos; can register the GGUF files again.</source>
        <translation>Verschieben Sie die Datei; „hearth models import“ kann die GGUF-Dateien neu eintragen.</translation>
    </message>
    <message>
        <source>&apos;{model_id}{quant}&apos; is not installed.</source>
        <translation>„{model_id}{quant}“ ist nicht installiert.</translation>
    </message>
    <message>
        <source>See &apos;hearth models list&apos;.</source>
        <translation>Siehe „hearth models list“.</translation>
    </message>
    <message>
        <source>Several quantizations of {model_id} are installed ({quants}).</source>
        <translation>Mehrere Quantisierungen von {model_id} sind installiert ({quants}).</translation>
    </message>
    <message>
        <source>Name one: {model_id}:QUANT (or --quant QUANT).</source>
        <translation>Nennen Sie eine: {model_id}:QUANT (oder --quant QUANT).</translation>
    </message>
    <message>
        <source>The download was cancelled.</source>
        <translation>Der Download wurde abgebrochen.</translation>
    </message>
    <message>
        <source>Downloading {name} failed {failures} times in a row ({exc}).</source>
        <translation>Der Download von {name} ist {failures}-mal hintereinander fehlgeschlagen ({exc}).</translation>
    </message>
    <message>
        <source>Check the network or the mirror and run the download again; it resumes where it stopped.</source>
        <translation>Prüfen Sie das Netzwerk oder den Mirror und starten Sie den Download erneut; er setzt dort fort, wo er aufgehört hat.</translation>
    </message>
    <message>
        <source>{name} does not match its published sha256 (expected {sha256}…, got {digest}…); the damaged file was deleted.</source>
        <translation>{name} stimmt nicht mit seiner veröffentlichten sha256 überein (erwartet {sha256}…, erhalten {digest}…); die beschädigte Datei wurde gelöscht.</translation>
    </message>
    <message>
        <source>Run the download again. If it fails the same way, the mirror serves a bad copy: tell your administrator.</source>
        <translation>Starten Sie den Download erneut. Wenn er genauso fehlschlägt, liefert der Mirror eine fehlerhafte Kopie: Sagen Sie Ihrer Administration Bescheid.</translation>
    </message>
    <message>
        <source>The disk holding {parent} is full.</source>
        <translation>Das Laufwerk mit {parent} ist voll.</translation>
    </message>
    <message>
        <source>Free some space and run the download again; it resumes where it stopped.</source>
        <translation>Schaffen Sie Platz und starten Sie den Download erneut; er setzt dort fort, wo er aufgehört hat.</translation>
    </message>
    <message>
        <source>Cannot write {part}: {strerror}.</source>
        <translation>{part} lässt sich nicht schreiben: {strerror}.</translation>
    </message>
    <message>
        <source>The server refused {name} (HTTP {status}): the repository is gated or private.</source>
        <translation>Der Server hat {name} verweigert (HTTP {status}): Das Repository ist geschützt oder privat.</translation>
    </message>
    <message>
        <source>Accept the model&apos;s terms on the Hub, then run &apos;hearth models login&apos; with a token that has access.</source>
        <translation>Akzeptieren Sie die Bedingungen des Modells auf dem Hub und führen Sie dann „hearth models login“ mit einem Token aus, das Zugriff hat.</translation>
    </message>
    <message>
        <source>{name} was not found on the server (HTTP 404).</source>
        <translation>{name} wurde auf dem Server nicht gefunden (HTTP 404).</translation>
    </message>
    <message>
        <source>The server answered HTTP {status} for {name}.</source>
        <translation>Der Server hat für {name} mit HTTP {status} geantwortet.</translation>
    </message>
    <message>
        <source>The setting &apos;{name}&apos; is locked to {name2} by your organisation&apos;s policy; {value} was asked for.</source>
        <translation>Die Einstellung „{name}“ ist durch die Richtlinie Ihrer Organisation auf {name2} festgelegt; verlangt wurde {value}.</translation>
    </message>
    <message>
        <source>Leave it out to use the organisation&apos;s value.</source>
        <translation>Lassen Sie sie weg, um den Wert der Organisation zu verwenden.</translation>
    </message>
    <message>
        <source>The setting &apos;{name}&apos; is locked by your organisation&apos;s policy and cannot be changed here.</source>
        <translation>Die Einstellung „{name}“ ist durch die Richtlinie Ihrer Organisation gesperrt und lässt sich hier nicht ändern.</translation>
    </message>
    <message>
        <source>Hearth is in offline mode by your organisation&apos;s policy: no network access.</source>
        <translation>Hearth ist durch die Richtlinie Ihrer Organisation im Offline-Modus: kein Netzwerkzugriff.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow the model {model_id}{quant}.</source>
        <translation>Die Richtlinie Ihrer Organisation erlaubt das Modell {model_id}{quant} nicht.</translation>
    </message>
    <message>
        <source>Ask IT which models are approved.</source>
        <translation>Fragen Sie die IT, welche Modelle freigegeben sind.</translation>
    </message>
    <message>
        <source>Hearth is in offline mode by your organisation&apos;s policy: no downloads.</source>
        <translation>Hearth ist durch die Richtlinie Ihrer Organisation im Offline-Modus: keine Downloads.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow downloading models.</source>
        <translation>Die Richtlinie Ihrer Organisation erlaubt keine Modell-Downloads.</translation>
    </message>
    <message>
        <source>Ask IT to pre-seed the model.</source>
        <translation>Bitten Sie die IT, das Modell vorab bereitzustellen.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow the local API.</source>
        <translation>Die Richtlinie Ihrer Organisation erlaubt die lokale API nicht.</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow exporting conversations.</source>
        <translation>Die Richtlinie Ihrer Organisation erlaubt nicht, Unterhaltungen zu exportieren.</translation>
    </message>
    <message>
        <source>The setting &apos;{setting}&apos; is locked by your organisation&apos;s policy.</source>
        <translation>Die Einstellung „{setting}“ ist durch die Richtlinie Ihrer Organisation gesperrt.</translation>
    </message>
    <message>
        <source>GPU layers are limited to {limit} by your organisation&apos;s policy</source>
        <translation>GPU-Schichten sind durch die Richtlinie Ihrer Organisation auf {limit} begrenzt</translation>
    </message>
    <message>
        <source>No OS keyring is available to keep the token safely, and Hearth never stores it in a plain file.</source>
        <translation>Es gibt keinen Schlüsselbund des Betriebssystems, der das Token sicher aufbewahrt, und Hearth speichert es nie in einer einfachen Datei.</translation>
    </message>
    <message>
        <source>Install and unlock a keyring (GNOME Keyring, KWallet, KeePassXC&apos;s Secret Service), or set HF_TOKEN in the environment for this session.</source>
        <translation>Installieren und entsperren Sie einen Schlüsselbund (GNOME Keyring, KWallet, Secret Service von KeePassXC) oder setzen Sie HF_TOKEN in der Umgebung für diese Sitzung.</translation>
    </message>
    <message>
        <source>The OS keyring refused to store {what}: {exc}.</source>
        <translation>Der Schlüsselbund des Betriebssystems hat sich geweigert, {what} zu speichern: {exc}.</translation>
    </message>
    <message>
        <source>The OS keyring refused to delete {what}: {exc}.</source>
        <translation>Der Schlüsselbund des Betriebssystems hat sich geweigert, {what} zu löschen: {exc}.</translation>
    </message>
    <message>
        <source>No OS keyring is available to keep {what} safely, and Hearth never stores it in a plain file.</source>
        <translation>Es gibt keinen Schlüsselbund des Betriebssystems, der {what} sicher aufbewahrt, und Hearth speichert es nie in einer einfachen Datei.</translation>
    </message>
    <message>
        <source>Install and unlock a keyring (GNOME Keyring, KWallet, KeePassXC&apos;s Secret Service), {alternative}.</source>
        <translation>Installieren und entsperren Sie einen Schlüsselbund (GNOME Keyring, KWallet, Secret Service von KeePassXC), {alternative}.</translation>
    </message>
    <message>
        <source>{what} http://{host} is plain http: it would carry your data and keys across the network in clear text, so Hearth does not use it.</source>
        <translation>{what} http://{host} ist reines http: Es würde Ihre Daten und Schlüssel im Klartext über das Netzwerk tragen, daher verwendet Hearth es nicht.</translation>
    </message>
    <message>
        <source>Cannot save the settings: {problem}.</source>
        <translation>Die Einstellungen lassen sich nicht speichern: {problem}.</translation>
    </message>
    <message>
        <source>Cannot save {path}: {exc}.</source>
        <translation>{path} lässt sich nicht speichern: {exc}.</translation>
    </message>
    <message>
        <source>This build of SQLCipher would keep temporary data of {name} unencrypted on disk (temp_store {temp}, memory security {wiped}), so Hearth does not use it.</source>
        <translation>Dieser SQLCipher-Build würde temporäre Daten von {name} unverschlüsselt auf dem Laufwerk ablegen (temp_store {temp}, Speichersicherheit {wiped}), daher verwendet Hearth ihn nicht.</translation>
    </message>
    <message>
        <source>Reinstall Hearth (make install) to get the SQLCipher build it is tested with.</source>
        <translation>Installieren Sie Hearth neu (make install), um den SQLCipher-Build zu erhalten, mit dem es getestet ist.</translation>
    </message>
    <message>
        <source>The conversation store could not save the last change: the disk holding {parent} is full.</source>
        <translation>Der Unterhaltungsspeicher konnte die letzte Änderung nicht sichern: Das Laufwerk mit {parent} ist voll.</translation>
    </message>
    <message>
        <source>Free some space; everything saved before is intact.</source>
        <translation>Schaffen Sie Platz; alles vorher Gespeicherte ist unversehrt.</translation>
    </message>
    <message>
        <source>The conversation store at {path} cannot be written (read-only folder or file).</source>
        <translation>Der Unterhaltungsspeicher unter {path} lässt sich nicht beschreiben (schreibgeschützter Ordner oder schreibgeschützte Datei).</translation>
    </message>
    <message>
        <source>Check the permissions of the data folder, or set HEARTH_HOME to a writable place.</source>
        <translation>Prüfen Sie die Berechtigungen des Datenordners oder setzen Sie HEARTH_HOME auf einen beschreibbaren Ort.</translation>
    </message>
    <message>
        <source>The conversation store failed: {exc}.</source>
        <translation>Der Unterhaltungsspeicher ist fehlgeschlagen: {exc}.</translation>
    </message>
    <message>
        <source>The {what} does not open the conversation store ({name}).</source>
        <translation>{what} öffnet den Unterhaltungsspeicher ({name}) nicht.</translation>
    </message>
    <message>
        <source>There is no conversation {conversation_id}.</source>
        <translation>Es gibt keine Unterhaltung {conversation_id}.</translation>
    </message>
    <message>
        <source>See &apos;hearth conversations list&apos;.</source>
        <translation>Siehe „hearth conversations list“.</translation>
    </message>
    <message>
        <source>There is no message {message_id}.</source>
        <translation>Es gibt keine Nachricht {message_id}.</translation>
    </message>
    <message>
        <source>Cannot write in {parent}: {strerror}.</source>
        <translation>In {parent} lässt sich nicht schreiben: {strerror}.</translation>
    </message>
    <message>
        <source>Choose another folder.</source>
        <translation>Wählen Sie einen anderen Ordner.</translation>
    </message>
    <message>
        <source>Cannot write {path}: {strerror}.</source>
        <translation>{path} lässt sich nicht schreiben: {strerror}.</translation>
    </message>
    <message>
        <source>Free some disk space or choose another folder.</source>
        <translation>Schaffen Sie Speicherplatz oder wählen Sie einen anderen Ordner.</translation>
    </message>
    <message>
        <source>Cannot read {path}: {strerror}.</source>
        <translation>{path} lässt sich nicht lesen: {strerror}.</translation>
    </message>
    <message>
        <source>{path} is not valid JSON: {exc}.</source>
        <translation>{path} ist kein gültiges JSON: {exc}.</translation>
    </message>
    <message>
        <source>This file is neither a Hearth export nor an OpenAI-style message list.</source>
        <translation>Diese Datei ist weder ein Hearth-Export noch eine Nachrichtenliste im OpenAI-Stil.</translation>
    </message>
    <message>
        <source>Expected {{&quot;format&quot;: &quot;hearth-conversation&quot;, …}} or {{&quot;messages&quot;: [{{&quot;role&quot;: &quot;user&quot;, &quot;content&quot;: &quot;…&quot;}}]}}.</source>
        <translation>Erwartet wird {{&quot;format&quot;: &quot;hearth-conversation&quot;, …}} oder {{&quot;messages&quot;: [{{&quot;role&quot;: &quot;user&quot;, &quot;content&quot;: &quot;…&quot;}}]}}.</translation>
    </message>
    <message>
        <source>&apos;{name}&apos; must be a list.</source>
        <translation>„{name}“ muss eine Liste sein.</translation>
    </message>
    <message>
        <source>Message {index} needs a role (system, user or assistant) and text content.</source>
        <translation>Nachricht {index} braucht eine Rolle (system, user oder assistant) und Textinhalt.</translation>
    </message>
    <message>
        <source>A conversation in the export is not an object.</source>
        <translation>Eine Unterhaltung im Export ist kein Objekt.</translation>
    </message>
    <message>
        <source>Some messages point at parents that are not in the file.</source>
        <translation>Einige Nachrichten verweisen auf Vorgänger, die nicht in der Datei sind.</translation>
    </message>
    <message>
        <source>The OS keyring refused to store the conversation key: {exc}.</source>
        <translation>Der Schlüsselbund des Betriebssystems hat sich geweigert, den Schlüssel der Unterhaltungen zu speichern: {exc}.</translation>
    </message>
    <message>
        <source>The conversation store is protected by a passphrase.</source>
        <translation>Der Unterhaltungsspeicher ist durch eine Passphrase geschützt.</translation>
    </message>
    <message>
        <source>Enter it when asked, or set {PASSPHRASE_ENV} for unattended use.</source>
        <translation>Geben Sie sie ein, wenn Sie gefragt werden, oder setzen Sie {PASSPHRASE_ENV} für den unbeaufsichtigten Betrieb.</translation>
    </message>
    <message>
        <source>The key of the conversation store is missing from the OS keyring, so the conversations cannot be read.</source>
        <translation>Der Schlüssel des Unterhaltungsspeichers fehlt im Schlüsselbund des Betriebssystems, daher lassen sich die Unterhaltungen nicht lesen.</translation>
    </message>
    <message>
        <source>If the keyring was reset, the conversations are lost; &apos;hearth conversations purge --all&apos; starts over.</source>
        <translation>Wenn der Schlüsselbund zurückgesetzt wurde, sind die Unterhaltungen verloren; „hearth conversations purge --all“ fängt neu an.</translation>
    </message>
    <message>
        <source>No OS keyring is available to keep the conversation key, and Hearth never stores it in a plain file.</source>
        <translation>Es gibt keinen Schlüsselbund des Betriebssystems für den Schlüssel der Unterhaltungen, und Hearth speichert ihn nie in einer einfachen Datei.</translation>
    </message>
    <message>
        <source>Choose a passphrase (Hearth asks for it), or set {PASSPHRASE_ENV} for unattended use.</source>
        <translation>Wählen Sie eine Passphrase (Hearth fragt danach) oder setzen Sie {PASSPHRASE_ENV} für den unbeaufsichtigten Betrieb.</translation>
    </message>
    <message>
        <source>A new passphrase is needed to rotate the key of a passphrase-protected store.</source>
        <translation>Um den Schlüssel eines passphrasegeschützten Speichers zu wechseln, braucht es eine neue Passphrase.</translation>
    </message>
    <message>
        <source>The conversation store was written by a newer Hearth (schema {found}; this one knows {CURRENT_VERSION}).</source>
        <translation>Der Unterhaltungsspeicher wurde von einem neueren Hearth geschrieben (Schema {found}; dieses kennt {CURRENT_VERSION}).</translation>
    </message>
    <message>
        <source>Update Hearth; the database was left untouched.</source>
        <translation>Aktualisieren Sie Hearth; die Datenbank blieb unverändert.</translation>
    </message>
    <message>
        <source>Deleted {removed} conversation(s) older than {retention_days} days (retention setting).</source>
        <translation>{removed} Unterhaltung(en) gelöscht, die älter als {retention_days} Tage sind (Aufbewahrungseinstellung).</translation>
    </message>
    <message>
        <source>{interrupted} answer(s) were cut off when Hearth last stopped; they are marked interrupted and can be continued.</source>
        <translation>{interrupted} Antwort(en) wurden beim letzten Beenden von Hearth abgeschnitten; sie sind als unterbrochen markiert und lassen sich fortsetzen.</translation>
    </message>
</context>
</TS>
