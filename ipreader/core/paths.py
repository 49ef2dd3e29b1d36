"""The one module that knows where files live.

* the per-folder database directory (``.ipreader/`` beside the articles),
* the fallback data directory for read-only folders, the settings and the
  crash logs (``platformdirs``; tests redirect it with ``IPREADER_DATA_DIR``),
* the per-user cache directory (decoded store reads; ``IPREADER_CACHE_DIR``),
* the bundled sample articles and the Textual stylesheets, both in a checkout
  (top-level ``seeds/`` and ``styles/``) and in an installed wheel
  (``ipreader/seeds`` and ``ipreader/styles``, shipped by hatch force-include).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: Name of the directory, inside an articles folder, that holds ipreader's files.
STORE_DIRNAME = ".ipreader"

#: Environment variable that replaces the per-user data directory (tests, portable use).
DATA_DIR_ENV = "IPREADER_DATA_DIR"

#: Environment variable that replaces the per-user cache directory.
CACHE_DIR_ENV = "IPREADER_CACHE_DIR"

#: File suffixes read as articles; extensionless files are read too.
ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".text"})

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _bundled_dir(name: str) -> Path:
    """Return the bundled directory ``name``: inside the package when installed, else the repo's."""
    installed = _PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def seeds_dir() -> Path:
    """Return the folder of bundled sample articles."""
    return _bundled_dir("seeds")


def styles_dir() -> Path:
    """Return the folder of the app's Textual stylesheets (``*.tcss``)."""
    return _bundled_dir("styles")


def user_data_dir() -> Path:
    """Return the per-user data directory (not created here)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs  # deferred: only needed off the fast path

    return Path(platformdirs.user_data_dir("ipreader", appauthor=False))


def user_cache_dir() -> Path:
    """Return the per-user cache directory (not created here).

    ``IPREADER_CACHE_DIR`` when set; else ``cache/`` inside ``IPREADER_DATA_DIR``
    when that is set (a portable or test data directory keeps its cache with
    it); else the platform's user cache directory. Never inside a folder's
    ``.ipreader/``: that folder may be shared, and nothing there is trusted as a cache.
    """
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    if os.environ.get(DATA_DIR_ENV):
        return user_data_dir() / "cache"
    import platformdirs  # deferred: only needed off the fast path

    return Path(platformdirs.user_cache_dir("ipreader", appauthor=False))


def folder_store_dir(folder: Path) -> Path:
    """Return the database directory that lives inside ``folder``."""
    return folder / STORE_DIRNAME


def fallback_store_dir(folder: Path) -> Path:
    """Return the database directory used for ``folder`` when it cannot be written.

    The name joins a readable slug of the folder's name with a hash of its
    absolute path, so two read-only folders never share a database.
    """
    absolute = str(folder.resolve())
    digest = hashlib.sha256(absolute.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in folder.name)[:40]
    return user_data_dir() / "folders" / f"{slug or 'root'}-{digest}"


def crash_log_dir() -> Path:
    """Return the directory of crash logs (one file per unexpected error)."""
    return user_data_dir() / "crashes"


def settings_file() -> Path:
    """Return the per-user settings file (theme and other app preferences)."""
    return user_data_dir() / "settings.json"


def is_own_file(path: Path) -> bool:
    """Return True for files ipreader itself writes (never listed as articles)."""
    return STORE_DIRNAME in path.parts


def is_article_candidate(path: Path) -> bool:
    """Return True when ``path``'s name makes it a possible article.

    Hidden files and ipreader's own files are skipped; ``.txt``, ``.md``,
    ``.text`` and extensionless files are candidates.
    """
    if path.name.startswith(".") or is_own_file(path):
        return False
    return path.suffix.lower() in ARTICLE_SUFFIXES or path.suffix == ""
