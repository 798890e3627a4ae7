"""Which model architectures the bundled llama.cpp can run, asked of llama.cpp itself.

Hearth keeps no list of its own: a hand-kept tuple goes stale with every
llama-cpp-python upgrade (round 1's refused ``deepseek32`` and ``deepseek4``
although the bundled llama.cpp runs both).  llama.cpp has no call that lists
its architectures, but its loader decides in a fixed order: it builds the
model object for ``general.architecture`` first and throws "unknown model
architecture" for a name it does not know, and only then reads the
hyper-parameters.  So a GGUF that holds nothing but the architecture name,
loaded vocab-only, answers the question exactly: "unknown model architecture"
means no, any later complaint (a missing ``context_length``) means yes.  The
probe file is Hearth's own (a few hundred bytes, never a user's file), and
the answers are cached per llama-cpp-python version.

Which of the runnable architectures DeepSeek checkpoints use is a different
question (the catalog's and the reasoning features' concern), answered by
:data:`DEEPSEEK_ARCHITECTURES`.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from pathlib import Path

from app.core import paths, settings
from app.core.errors import HearthError
from app.core.sentences import say

log = logging.getLogger(__name__)

# Architectures DeepSeek's own checkpoints are published in: R1 distills on qwen2 / llama /
# qwen3, DeepSeek LLM on llama and deepseek, V2/V3/V3.1/R1 on deepseek2, V3.2 on deepseek32,
# V4 on deepseek4.  A file of any other architecture still loads when llama.cpp runs it, with
# a notice (see :func:`non_deepseek_notice`).
DEEPSEEK_ARCHITECTURES = frozenset({"llama", "qwen2", "qwen3", "deepseek", "deepseek2", "deepseek32", "deepseek4"})
_UNKNOWN = "unknown model architecture"
_CACHE_NAME = "architectures.json"
_lock = threading.Lock()
_answers: dict[str, bool] = {}


def llama_cpp_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llama_cpp_python")
    except PackageNotFoundError:
        return "unknown"


def is_runnable(architecture: str) -> bool:
    """Whether the bundled llama.cpp can build a model of this architecture."""
    with _lock:
        if not _answers:
            _answers.update(_read_cache())
        if architecture not in _answers:
            _answers[architecture] = _probe(architecture)
            _write_cache(_answers)
        return _answers[architecture]


def _cache_path() -> Path:
    return paths.user_dirs().cache / _CACHE_NAME


def _read_cache() -> dict[str, bool]:
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("llama_cpp_python") != llama_cpp_version():
        return {}
    answers = data.get("architectures")
    if not isinstance(answers, dict):
        return {}
    return {str(k): bool(v) for k, v in answers.items()}


def _write_cache(answers: dict[str, bool]) -> None:
    data = {"llama_cpp_python": llama_cpp_version(), "architectures": dict(sorted(answers.items()))}
    try:
        settings.write_json(_cache_path(), data)
    except HearthError as exc:  # a cache that cannot be written only costs a probe next time
        log.warning("%s", exc)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _probe(architecture: str) -> bool:
    import gguf
    import llama_cpp

    from app.core import llama_log

    llama_log.install()
    llama_cpp.llama_backend_init()
    capture = _Capture()
    llama_logger = logging.getLogger("hearth.llama_cpp")
    paths.user_dirs().cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hearth-arch-", dir=paths.user_dirs().cache) as tmp:
        probe = Path(tmp) / "probe.gguf"
        writer = gguf.GGUFWriter(probe, architecture)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        llama_logger.addHandler(capture)
        try:
            model = llama_cpp.llama_model_load_from_file(str(probe).encode(), params)
        finally:
            llama_logger.removeHandler(capture)
        if model:
            llama_cpp.llama_model_free(model)
    unknown = any(_UNKNOWN in line and f"'{architecture}'" in line for line in capture.lines)
    if not unknown and not any("error" in line for line in capture.lines) and not model:
        log.warning("architecture probe for %r failed without llama.cpp saying why", architecture)
    log.info("llama.cpp %s architecture %r", "does not know" if unknown else "knows", architecture)
    return not unknown


def non_deepseek_notice(architecture: str, name: str, template: str | None) -> str | None:
    """The notice for a file that is not a DeepSeek model, or None for one that is.

    A DeepSeek checkpoint has a DeepSeek architecture and says so in its name or speaks
    DeepSeek's chat tokens; a Llama or Qwen file that is neither gets the notice too."""
    speaks_deepseek = template is not None and "<｜Assistant｜>" in template
    named = "deepseek" in name.lower()
    if architecture in DEEPSEEK_ARCHITECTURES and (named or speaks_deepseek):
        return None
    return say(
        (
            "'{name}' is not a DeepSeek model ({architecture} architecture). It runs with its own chat "
            "template; Hearth's catalog, sampling defaults and reasoning features are tuned for "
            "DeepSeek."
        ),
        name=name,
        architecture=architecture,
    )
