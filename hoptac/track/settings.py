"""The monitor's rules and thresholds, from a TOML file (the package's ``monitor.toml`` by default).

A user's file overrides only what it names; a rule or a setting the defaults do not know is an
error, so a misspelt threshold cannot silently do nothing.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

ENV = "HOPTAC_MONITOR_SETTINGS"
SEVERITIES = ("high", "medium", "low")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    name: str
    values: dict[str, Any]

    @property
    def enabled(self) -> bool:
        return bool(self.values["enabled"])

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def title(self, lang: str = "en") -> str:
        return self.values["title_vi" if lang == "vi" else "title"]

    def explanation(self, lang: str = "en") -> str:
        return self.values["explanation_vi" if lang == "vi" else "explanation"]

    def thresholds(self) -> dict[str, Any]:
        """The numbers a user may tune, as shown next to an alert."""
        return {k: v for k, v in self.values.items() if not k.startswith(("title", "explanation")) and k != "enabled"}


@dataclass(frozen=True)
class Settings:
    rules: dict[str, Rule]
    source: str

    def __getitem__(self, name: str) -> Rule:
        return self.rules[name]


def load(path: str | os.PathLike | None = None) -> Settings:
    """The defaults, overridden by ``path`` or else by the file ``$HOPTAC_MONITOR_SETTINGS`` names."""
    defaults = tomllib.loads(resources.files("hoptac").joinpath("data/monitor.toml").read_text("utf-8"))["rules"]
    path = path or os.environ.get(ENV)
    source = "defaults"
    if path:
        try:
            user = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise SettingsError(f"{path}: {e}") from e
        _merge(defaults, user, str(path))
        source = str(path)
    return Settings({name: Rule(name, values) for name, values in defaults.items()}, source)


def _merge(defaults: dict, user: dict, path: str) -> None:
    if set(user) - {"rules"}:
        raise SettingsError(f"{path}: unknown section {', '.join(sorted(set(user) - {'rules'}))}; only [rules.NAME] sections are read")
    for name, values in user.get("rules", {}).items():
        if name not in defaults:
            raise SettingsError(f"{path}: unknown rule {name!r}; the rules are {', '.join(sorted(defaults))}")
        for key, value in values.items():
            if key not in defaults[name]:
                raise SettingsError(f"{path}: rule {name} has no setting {key!r}; it has {', '.join(sorted(defaults[name]))}")
            if type(value) is not type(defaults[name][key]):
                raise SettingsError(f"{path}: {name}.{key} must be a {type(defaults[name][key]).__name__}, not {value!r}")
            if key.startswith("severity") and value not in SEVERITIES:
                raise SettingsError(f"{path}: {name}.{key} must be one of {', '.join(SEVERITIES)}")
            defaults[name][key] = value
