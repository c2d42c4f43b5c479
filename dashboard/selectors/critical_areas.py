"""The seven critical areas of the September 2018 review, each with its actions, and
the eight elements of the care model that localities' maturity is scored against."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch

from dashboard.periods import DashboardPage
from localities.models import CareModelElement, CriticalArea, CriticalAreaAction


def status_summary(actions: list[CriticalAreaAction]) -> str:
    """ "1 complete, 2 in progress", in the order Status lists them; "" when there are none."""
    counted = Counter(action.status for action in actions)
    return ", ".join(
        f"{counted[value]} {label.lower()}"
        for value, label in CriticalAreaAction.Status.choices
        if counted[value]
    )


@dataclass(frozen=True)
class AreaActions:
    area: CriticalArea
    actions: list[CriticalAreaAction]

    @property
    def status_summary(self) -> str:
        return status_summary(self.actions)


@dataclass(frozen=True)
class CriticalAreasData:
    areas: list[AreaActions]

    @property
    def actions(self) -> list[CriticalAreaAction]:
        return [action for item in self.areas for action in item.actions]

    @property
    def summary(self) -> str:
        actions = self.actions
        if not actions:
            return "No actions have been recorded against the critical areas yet."
        area_noun = "area" if len(self.areas) == 1 else "areas"
        action_noun = "action" if len(actions) == 1 else "actions"
        return (
            f"{len(actions)} {action_noun} across {len(self.areas)} critical {area_noun}: "
            f"{status_summary(actions)}."
        )


def critical_areas_data(*, page: DashboardPage) -> CriticalAreasData:
    """Areas in number order with their actions: two queries whatever the data.

    Actions carry no dates, so every quarter shows the latest recorded position.
    """
    areas = CriticalArea.objects.order_by("number").prefetch_related(
        Prefetch("actions", queryset=CriticalAreaAction.objects.order_by("id"))
    )
    return CriticalAreasData(
        areas=[AreaActions(area=area, actions=list(area.actions.all())) for area in areas]
    )


def care_model_elements() -> list[CareModelElement]:
    """The eight care-model elements in number order, with their groups: one query."""
    return list(CareModelElement.objects.order_by("number"))
