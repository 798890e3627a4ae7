"""Save PNGs of the main window mid-conversation, the model manager, the settings, the
first-run welcome and a conversation on a remote engine, in light and dark, on a virtual X screen (Debian: ``apt-get install xvfb
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-render-util0 libxkbcommon-x11-0``):

    xvfb-run -a -s "-screen 0 1920x1200x24" .venv/bin/python resources/screenshots/make_screenshots.py

Without a display it falls back to Qt's offscreen platform (same pictures, no X server).
Uses a generated model and a temporary home, so it shows nothing of yours.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")


def shot(widget: object, name: str, wait_ms: int = 200) -> None:
    """Let the widget settle (layouts, formula images drawn on a worker), then save it as ``name``."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    pause = QEventLoop()
    QTimer.singleShot(wait_ms, pause.quit)
    pause.exec()
    widget.grab().save(str(HERE / name))


def dialogs(window: Any, prefix: str, scheme: str) -> None:
    """The model manager and the settings, as ``{prefix}model-manager`` / ``{prefix}settings``."""
    manager = window.open_models()
    manager.resize(900, 560)
    shot(manager, f"{prefix}model-manager-{scheme}.png", 300)
    manager.hide()
    dialog = window.open_settings()
    shot(dialog, f"{prefix}settings-{scheme}.png", 200)
    dialog.reject()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(HEARTH_HOME=tmp, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", HEARTH_PASSPHRASE="shots")
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        from app.core.chat.session import ChatSession
        from app.core.engine.base import SamplingParams
        from app.core.engine.worker import EngineWorker
        from app.core.models import hardware, speed
        from app.core.models.catalog import load_catalog
        from app.core.models.ops import import_model
        from app.core.models.registry import Registry
        from app.core.store.database import Store
        from app.ui import theme
        from app.ui.chat_controller import ChatController
        from app.ui.main_window import MainWindow
        from tests.gguf_factory import family_spec, write_model

        speed.ensure_measured(hardware.detect())  # the fit labels then show this machine's expected speed
        app = QApplication.instance() or QApplication([])
        store = Store(Path(tmp) / "conversations.db")
        conv = store.create_conversation("How does a heat pump work?")
        store.add_message(conv, "user", "How does a heat pump work? Keep it short.")
        store.add_message(
            conv, "assistant",
            "A heat pump **moves heat** instead of making it:\n\n1. A refrigerant evaporates outside and absorbs heat.\n"
            "2. A compressor raises its temperature.\n3. Inside, it condenses and releases the heat.\n\n"
            "| mode | source | sink |\n|---|---|---|\n| heating | outdoor air | your home |\n"
            "| cooling | your home | outdoor air |\n\n"
            "```python\ncop = heat_delivered / electricity_used  # typically 3-4\n```",
            reasoning="The user wants a short explanation. Cover the cycle, then efficiency.",
        )  # fmt: skip
        store.add_message(conv, "user", "And in very cold weather?")
        # The states an answer can end in, and one being written, in one conversation.
        states = store.create_conversation("Every state of an answer")
        for question, answer, status, error in (
            ("List the planets.", "1. Mercury\n2. Venus\n3. Earth\n4. Mars\n5. Jupi", "truncated", None),
            ("Write a long poem about rain.", "Soft rain on the roof, a hush", "cancelled", None),
            ("Summarise the attached notes.", "", "error", "The model ran out of memory while reading the prompt."),
        ):
            store.add_message(states, "user", question)
            store.add_message(states, "assistant", answer, status=status, error=error)
        store.add_message(states, "user", "Is 1001 a prime number?")
        store.add_message(
            states, "assistant", "", status="partial",
            reasoning="1001 = 7 x 143, and 143 = 11 x 13, so it has divisors other than 1 and itself…",
        )  # fmt: skip
        # What DeepSeek writes: math (inline and display), a nested list, Chinese that wraps.
        maths = store.create_conversation("Math, lists and Chinese")
        store.add_message(maths, "user", "What is the Gaussian integral, and how do you solve a quadratic?")
        store.add_message(
            maths, "assistant",
            "The Gaussian integral is \\(\\int_{-\\infty}^{\\infty} e^{-x^2}\\,dx = \\sqrt{\\pi}\\). "
            "Squaring it gives a double integral that polar coordinates solve:\n\n"
            "$$I^2 = \\int_0^{2\\pi}\\int_0^{\\infty} e^{-r^2}\\, r\\,dr\\,d\\theta = \\pi$$\n\n"
            "A quadratic \\(ax^2 + bx + c = 0\\) has the roots\n\n"
            "\\[ x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a} \\]\n\n"
            "- If \\(b^2 - 4ac > 0\\): two real roots\n  - both rational when the discriminant is a square\n"
            "- If it is zero: one double root\n\n"
            "用中文说：高斯积分的值是根号圆周率，二次方程的求根公式对所有系数都成立，只要首项系数不为零。",
        )  # fmt: skip
        registry, catalog = Registry(Path(tmp) / "models", shared_dir=None), load_catalog()
        session = ChatSession(EngineWorker(), store, registry, catalog)
        session.params = SamplingParams(temperature=0.0, max_tokens=40, seed=1)
        controller = ChatController(session)
        model = write_model(Path(tmp) / "DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf", family_spec("r1-distill-qwen", quant="Q8_0"))
        import_model(model, registry, catalog, "reference")  # a stand-in with the real file's name
        other = write_model(Path(tmp) / "DeepSeek-R1-Distill-Qwen-7B-Q8_0.gguf", family_spec("r1-distill-qwen", quant="Q8_0"))
        import_model(other, registry, catalog, "reference")  # a second quantization to choose in the model menu
        window = MainWindow(controller, registry, catalog)
        wait = QEventLoop()
        controller.model_changed.connect(wait.quit)
        window.switch_to(window.installed[0])
        wait.exec()
        controller.open_conversation(conv)
        window.resize(1200, 800)
        for name in ("light", "dark"):
            theme.apply(app, name)
            controller.open_conversation(conv)  # rebuilt in this scheme's colours
            window.show()
            shot(window, f"main-window-{name}.png", 300)
            menu = window.model_control.menu()  # the one model control, open: every quantization with its fit
            menu.popup(window.model_control.mapToGlobal(window.model_control.rect().bottomLeft()))
            shot(menu, f"model-menu-{name}.png", 300)
            menu.hide()
            # Loading a model: what the window shows while llama.cpp reads the weights (42 % here).
            window.statusBar().showMessage(f"Loading {window.installed[0].key}…")
            window.show_load_progress(0.42)
            shot(window, f"loading-model-{name}.png", 200)
            window.load_bar.hide()
            window.statusBar().clearMessage()
            controller.open_conversation(states)  # truncated (Continue), stopped, failed, thinking
            shot(window, f"answer-states-{name}.png", 300)
            controller.open_conversation(maths)  # the formulas are drawn on a worker: give them a moment
            shot(window, f"math-{name}.png", 800)
            controller.new_conversation()  # the empty state
            shot(window, f"empty-{name}.png", 200)
            controller.open_conversation(conv)
            dialogs(window, "", name)
            welcome = window.welcome()
            shot(welcome, f"welcome-{name}.png", 200)
            welcome.reject()
        # A remote engine (the tests' fault-injecting server on loopback) chosen in the picker.
        from app.core.engine import endpoints
        from tests.openai_fakes import FakeServer, Script

        with FakeServer() as server:
            answer = (
                "Below about -15 °C the **COP drops** towards 1.5-2, so many systems add a resistive backup heater. "
                "Cold-climate models keep working down to -25 °C."
            )
            server.script = Script(
                flavour="vllm",
                models=[{"id": "deepseek-v4-pro", "max_model_len": 131072}],
                reasoning=["The user asks about cold weather; cover efficiency and backup heat."],
                content=[answer],
            )
            endpoints.add("research", server.url)
            window.remote_entries.refresh()
            while not any(e.data.startswith("remote:") for e in window.model_control.entries()):
                app.processEvents()
            remote = next(e.data for e in window.model_control.entries() if e.data.startswith("remote:"))
            wait = QEventLoop()
            controller.model_changed.connect(wait.quit)
            window.model_control.choose(remote)
            wait.exec()
            done = QEventLoop()
            controller.answer_finished.connect(lambda *_: done.quit())
            controller.new_conversation()
            controller.send("How cold can a heat pump go?")
            done.exec()
            remote_conv = controller.conversation_id
            assert remote_conv is not None
            for name in ("light", "dark"):
                theme.apply(app, name)
                controller.open_conversation(remote_conv)
                shot(window, f"remote-engine-{name}.png", 300)
        # The window in German (Settings > Language), light: the longer words must fit.
        from app.ui import i18n

        theme.apply(app, "light")
        i18n.install(app, "de")
        german = MainWindow(controller, registry, catalog)
        german.resize(1200, 800)
        wait = QEventLoop()
        controller.model_changed.connect(wait.quit)
        german.switch_to(german.installed[0])
        wait.exec()
        controller.open_conversation(maths)
        german.show()
        shot(german, "main-window-de-light.png", 800)
        dialog = german.open_settings()
        shot(dialog, "settings-de-light.png", 200)
        dialog.reject()
        german.hide()
        i18n.remove(app)
        # Managed and offline: a machine policy that forbids the network and locks some settings.
        policy = Path(tmp) / "policy.toml"
        policy.write_text(
            'offline = true\nallow_export = false\nlocked_settings = ["temperature", "context", "system_prompt"]\n'
            "[settings]\ntemperature = 0.6\n",
            encoding="utf-8",
        )
        os.environ["HEARTH_POLICY"] = str(policy)
        for name in ("light", "dark"):
            theme.apply(app, name)
            dialogs(window, "policy-", name)
        controller.shutdown()
        store.close()
        print(f"platform {app.platformName()}:", *sorted(str(p) for p in HERE.glob("*.png")), sep="\n")


if __name__ == "__main__":
    main()
