"""The demo screen's parameter controls, built from the engine's declarations (`ParamSpec`): an Input
with a validator for numbers (the range in its placeholder and tooltip), a Switch for booleans, a Select
for choices. Invalid values are refused with the engine's own one-line message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, Switch

if TYPE_CHECKING:
    from engine.registry import Concept, ParamSpec

DEVICES = ("auto", "cpu", "cuda")


class ParamValidator(Validator):
    """One parameter, checked as the engine checks it (`ParamSpec.parse`)."""

    def __init__(self, spec: ParamSpec, concept: str) -> None:
        super().__init__()
        self.spec, self.concept = spec, concept

    def validate(self, value: str) -> ValidationResult:
        from engine.errors import ConceptError

        try:
            self.spec.parse(value, self.concept)
        except ConceptError as error:
            return self.failure(str(error), value)
        return self.success()


class ParamControls(Vertical):
    """A row per parameter (name, control), then the device."""

    DEFAULT_CSS = """
    ParamControls { height: auto; }
    ParamControls .param-row { height: 1; margin: 0 0 1 0; }
    ParamControls .param-name { width: 15; height: 1; color: $text-muted; }
    ParamControls Input { width: 1fr; }
    ParamControls Input.-invalid { color: $text-error; }
    ParamControls Select { width: 1fr; }
    ParamControls Switch { height: 1; }
    """

    def __init__(self, concept: Concept, values: Mapping[str, Any], device: str = "auto", **kwargs) -> None:
        super().__init__(**kwargs)
        self.concept = concept
        self.initial = dict(values)
        self.device = device if device in DEVICES else "auto"

    def compose(self) -> ComposeResult:
        for spec in self.concept.params:
            with Horizontal(classes="param-row"):
                yield Label(Content(spec.name), classes="param-name")
                yield self._control(spec, self.initial.get(spec.name, spec.default))
        with Horizontal(classes="param-row"):
            yield Label(Content("device"), classes="param-name")
            options = [(name, name) for name in DEVICES]
            yield Select(options, value=self.device, allow_blank=False, compact=True, id="device")

    def _control(self, spec: ParamSpec, value: Any):
        control_id = f"param-{spec.name}"
        tooltip = f"{spec.help} ({spec.allowed()})" if spec.help else spec.allowed()
        if spec.kind == "bool":
            switch = Switch(bool(value), id=control_id)
            switch.tooltip = tooltip
            return switch
        if spec.kind == "choice":
            select = Select([(c, c) for c in spec.choices], value=str(value), allow_blank=False, compact=True,
                            id=control_id)  # fmt: skip
            select.tooltip = tooltip
            return select
        field = Input(
            str(value),
            placeholder=spec.allowed(),
            validators=[ParamValidator(spec, self.concept.name)],
            validate_on=["changed", "submitted"],
            compact=True,
            id=control_id,
        )
        field.tooltip = tooltip
        return field

    def raw_values(self) -> dict[str, Any]:
        """What the controls hold now: strings from inputs, booleans from switches, choices."""
        values: dict[str, Any] = {}
        for spec in self.concept.params:
            control = self.query_one(f"#param-{spec.name}")
            if isinstance(control, Input | Switch | Select):
                values[spec.name] = control.value
        return values

    def device_choice(self) -> str:
        return str(self.query_one("#device", Select).value)

    def set_value(self, name: str, value: Any) -> None:
        control = self.query_one(f"#param-{name}")
        if isinstance(control, Input):
            control.value = str(value)
        elif isinstance(control, Switch):
            control.value = bool(value)
        elif isinstance(control, Select):
            control.value = str(value)
