"""Where summitwatch keeps its files: flags first, then environment variables, then platformdirs.

Tests set SUMMITWATCH_CONFIG / SUMMITWATCH_DATA_DIR so that they never touch a real home folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "summitwatch"


def config_path(explicit: Path | None = None) -> Path:
    """The config file: `--config`, else $SUMMITWATCH_CONFIG, else the user config folder."""
    if explicit is not None:
        return explicit.expanduser()
    env = os.environ.get("SUMMITWATCH_CONFIG")
    if env:
        return Path(env).expanduser()
    return user_config_path(APP_NAME) / "config.toml"


def data_dir() -> Path:
    env = os.environ.get("SUMMITWATCH_DATA_DIR")
    return Path(env).expanduser() if env else user_data_path(APP_NAME)


def db_path(explicit: Path | None = None, *, demo: bool = False) -> Path:
    """The database: `--db`, else $SUMMITWATCH_DB, else the data folder.

    The demo keeps a database of its own so that it never writes into the real one.
    """
    if explicit is not None:
        return explicit.expanduser()
    if demo:
        return data_dir() / "demo.db"
    env = os.environ.get("SUMMITWATCH_DB")
    return Path(env).expanduser() if env else data_dir() / "summitwatch.db"
