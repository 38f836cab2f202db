"""Thresholds, `evals/thresholds.yaml`: the bar each figure must clear, and why.

Each entry names the KPI or the risk it protects, so a failing build says what is at stake.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .metrics import METRICS, Measurement


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: float | None = None
    max: float | None = None
    protects: str = Field(min_length=1, description="The KPI or risk this threshold guards.")

    @model_validator(mode="after")
    def _one_bound(self) -> "Threshold":
        if (self.min is None) == (self.max is None):
            raise ValueError("give exactly one of min or max")
        return self

    def describe(self) -> str:
        return f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"

    def met_by(self, value: float) -> bool:
        if self.min is not None:
            return value >= self.min
        assert self.max is not None
        return value <= self.max


class ThresholdsError(ValueError):
    """thresholds.yaml cannot be used; the message names the entry and what to fix."""


def load_thresholds(path: Path) -> dict[str, Threshold]:
    if not path.is_file():
        raise ThresholdsError(f"{path} does not exist: create it, or pass --thresholds PATH.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ThresholdsError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ThresholdsError(f"{path} must map each metric name to its min or max.")
    thresholds: dict[str, Threshold] = {}
    problems: list[str] = []
    for name, entry in raw.items():
        if name not in METRICS:
            problems.append(f"{name!r} is not a metric: use one of {', '.join(METRICS)}")
            continue
        try:
            thresholds[name] = Threshold.model_validate(entry)
        except ValidationError as error:
            reasons = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in error.errors()
            )
            problems.append(f"{name}: {reasons}")
    if problems:
        raise ThresholdsError(f"{path}: " + "; ".join(problems) + ".")
    return thresholds


Status = Literal["pass", "fail", "skipped", "not gated"]


@dataclass(frozen=True)
class Verdict:
    measurement: Measurement
    threshold: Threshold | None
    status: Status
    previous: float | None

    @property
    def name(self) -> str:
        return self.measurement.name

    @property
    def change(self) -> float | None:
        value = self.measurement.value
        if value is None or self.previous is None:
            return None
        return round(value - self.previous, 6)


def judge(
    measurements: list[Measurement],
    thresholds: dict[str, Threshold],
    previous: dict[str, float | None],
) -> list[Verdict]:
    verdicts = []
    for measurement in measurements:
        threshold = thresholds.get(measurement.name)
        status: Status
        if measurement.skipped:
            status = "skipped"
        elif threshold is None:
            status = "not gated"
        elif measurement.value is None:
            status = "fail"  # nothing measured it: the dataset lacks those cases
        else:
            status = "pass" if threshold.met_by(measurement.value) else "fail"
        verdicts.append(Verdict(measurement, threshold, status, previous.get(measurement.name)))
    return verdicts


def failures(verdicts: list[Verdict]) -> list[Verdict]:
    return [verdict for verdict in verdicts if verdict.status == "fail"]
