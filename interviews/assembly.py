"""Assembling a question set from a blueprint: validation and the planner (pure Python).

The planner works on groups of interchangeable questions (same skill, kind and difficulty),
never on individual rows, so its cost grows with the number of groups, not of questions. It
picks one question at a time, preferring the least-used skill and category, and keeps a pick
only when the rest of the blueprint can still be met as fully as before (a small max-flow over
difficulty x kind cells decides that). So the set is as large as the bank allows, never
silently smaller, and spread over the selected skills. The database side (scope, grouped
counts, drawing the rows) is interviews.selectors.question_set_assemble.
"""

from __future__ import annotations

import heapq
import itertools
import random
import secrets
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from questions.models import QuestionKind

from .parsing import whole_number

UNRATED = 0  # difficulty bucket of unrated questions
# How a shortfall names a kind in the middle of a sentence (QuestionKind's labels start one).
KIND_LABELS = {
    QuestionKind.SINGLE_CHOICE: gettext_lazy("single-choice"),
    QuestionKind.MULTIPLE_CHOICE: gettext_lazy("multiple-choice"),
    QuestionKind.OPEN_ENDED: gettext_lazy("open-ended"),
}
MAX_COUNT = 200
SEED_LIMIT = 10**9  # a seed the assembly chooses is short enough to read out and type again


class BlueprintError(ValueError):
    """A blueprint that cannot be assembled as written; `errors` maps field -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    count: int

    def contains(self, difficulty: int) -> bool:
        return difficulty != UNRATED and self.low <= difficulty <= self.high

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}" if self.low != self.high else str(self.low)


@dataclass(frozen=True)
class Blueprint:
    bank: int
    count: int
    categories: tuple[int, ...] = ()
    skills: tuple[int, ...] = ()
    difficulty_min: int | None = None
    difficulty_max: int | None = None
    bands: tuple[Band, ...] = ()
    kinds: tuple[tuple[str, int], ...] = ()  # exact counts for the kinds listed
    include_unrated: bool = False
    seed: int | None = None
    exclude_questions: frozenset[int] = frozenset()

    @classmethod
    def from_data(cls, data: dict) -> Blueprint:
        """Validate a blueprint as the API and the page send it; BlueprintError says what to fix."""
        reader = _BlueprintReader(data)
        bank = reader.bank()
        count = reader.count()
        low, high = reader.difficulty_range()
        bands = reader.bands(count, has_range=low is not None or high is not None)
        kinds = reader.kinds(count)
        include_unrated = reader.include_unrated()
        seed = reader.integer("seed", data.get("seed"), 0, 2**63 - 1)
        categories = reader.id_list("categories")
        skills = reader.id_list("skills")
        if reader.errors:
            raise BlueprintError(dict(reader.errors))
        return cls(
            bank=bank,
            count=count,
            categories=categories,
            skills=skills,
            difficulty_min=low,
            difficulty_max=high,
            bands=tuple(sorted(bands, key=lambda b: b.low)),
            kinds=tuple(sorted(kinds.items())),
            include_unrated=bool(include_unrated),
            seed=seed,
        )

    def with_seed(self) -> Blueprint:
        """This blueprint with a seed: its own, or one chosen now, so every draw can be repeated."""
        if self.seed is not None:
            return self
        return replace(self, seed=secrets.randbelow(SEED_LIMIT))

    def to_data(self) -> dict:
        data: dict = {"bank": self.bank, "count": self.count}
        if self.categories:
            data["categories"] = list(self.categories)
        if self.skills:
            data["skills"] = list(self.skills)
        if self.difficulty_min is not None:
            data["difficulty_min"] = self.difficulty_min
        if self.difficulty_max is not None:
            data["difficulty_max"] = self.difficulty_max
        if self.bands:
            data["bands"] = [{"min": b.low, "max": b.high, "count": b.count} for b in self.bands]
        if self.kinds:
            data["kinds"] = dict(self.kinds)
        if self.include_unrated:
            data["include_unrated"] = True
        if self.seed is not None:
            data["seed"] = self.seed
        return data

    # --- which difficulties the blueprint accepts -------------------------------------------

    def accepts_difficulty(self, difficulty: int) -> bool:
        if difficulty == UNRATED:
            return self.include_unrated
        if self.bands and sum(b.count for b in self.bands) == self.count:
            return any(b.contains(difficulty) for b in self.bands)
        low = self.difficulty_min or 1
        high = self.difficulty_max or 10
        return low <= difficulty <= high


class _BlueprintReader:
    """The steps of Blueprint.from_data: each reads one part of the data and notes what is wrong
    in `errors` (field -> messages, in the order found), so one answer lists every fix."""

    def __init__(self, data: dict):
        self.data = data
        self.errors: dict[str, list[str]] = defaultdict(list)

    def integer(self, name, value, low=None, high=None) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            self.errors[name].append(_("must be a whole number"))
            return None
        number = whole_number(value)
        if number is None or (str(number) != str(value).strip() and not isinstance(value, int)):
            self.errors[name].append(_("must be a whole number, not %(value)r") % {"value": value})
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            self.errors[name].append(
                _("must be between %(low)s and %(high)s (got %(n)s)")
                % {"low": low, "high": high, "n": number}
            )
            return None
        return number

    def id_list(self, name) -> tuple[int, ...]:
        raw = self.data.get(name) or []
        if not isinstance(raw, list | tuple):
            self.errors[name].append(_("must be a list of ids"))
            return ()
        ids = [self.integer(name, v, 1) for v in raw]
        return tuple(dict.fromkeys(i for i in ids if i is not None))

    def bank(self) -> int | None:
        bank = self.integer("bank", self.data.get("bank"), 1)
        if bank is None and "bank" not in self.errors:
            self.errors["bank"].append(_("is required: the id of the bank to draw from"))
        return bank

    def count(self) -> int | None:
        count = self.integer("count", self.data.get("count"), 1, MAX_COUNT)
        if count is None and "count" not in self.errors:
            self.errors["count"].append(
                _("is required: how many questions (1 to %(max)s)") % {"max": MAX_COUNT}
            )
        return count

    def difficulty_range(self) -> tuple[int | None, int | None]:
        low = self.integer("difficulty_min", self.data.get("difficulty_min"), 1, 10)
        high = self.integer("difficulty_max", self.data.get("difficulty_max"), 1, 10)
        if low is not None and high is not None and low > high:
            self.errors["difficulty_max"].append(
                _("difficulty_min (%(low)s) is above difficulty_max (%(high)s): swap them")
                % {"low": low, "high": high}
            )
        return low, high

    def bands(self, count: int | None, *, has_range: bool) -> list[Band]:
        """The bands given, each valid on its own; then whether they fit together."""
        raw_bands = self.data.get("bands") or []
        if not isinstance(raw_bands, list):
            self.errors["bands"].append(_("must be a list of {min, max, count}"))
            raw_bands = []
        bands = [band for i, raw in enumerate(raw_bands, 1) if (band := self._band(i, raw))]
        ordered = sorted(bands, key=lambda x: x.low)
        for a, b in itertools.pairwise(ordered):
            if b.low <= a.high:
                self.errors["bands"].append(
                    _("bands %(a)s and %(b)s overlap") % {"a": a.label, "b": b.label}
                )
        if bands and has_range:
            self.errors["bands"].append(
                _("give either a difficulty range or difficulty bands, not both")
            )
        if bands and count is not None and sum(b.count for b in bands) > count:
            self.errors["bands"].append(
                _(
                    "the bands add up to %(n)s questions, more than the count of %(count)s: "
                    "lower a band or raise the count"
                )
                % {"n": sum(b.count for b in bands), "count": count}
            )
        return bands

    def _band(self, i: int, raw) -> Band | None:
        if not isinstance(raw, dict):
            self.errors["bands"].append(
                _("band %(i)s must be an object {min, max, count}") % {"i": i}
            )
            return None
        b_low = self.integer("bands", raw.get("min"), 1, 10)
        b_high = self.integer("bands", raw.get("max"), 1, 10)
        b_count = self.integer("bands", raw.get("count"), 0, MAX_COUNT)
        if None in (b_low, b_high, b_count):
            self.errors["bands"].append(
                _("band %(i)s needs min and max (1-10) and a count") % {"i": i}
            )
            return None
        if b_low > b_high:
            self.errors["bands"].append(
                _("band %(i)s: min %(low)s is above max %(high)s")
                % {"i": i, "low": b_low, "high": b_high}
            )
            return None
        return Band(b_low, b_high, b_count)

    def kinds(self, count: int | None) -> dict[str, int]:
        kinds: dict[str, int] = {}
        raw_kinds = self.data.get("kinds") or {}
        if not isinstance(raw_kinds, dict):
            self.errors["kinds"].append(_("must be an object like {open_ended: 3}"))
            raw_kinds = {}
        for kind, value in raw_kinds.items():
            if kind not in QuestionKind.values:
                self.errors["kinds"].append(
                    _("unknown kind %(kind)r; use one of %(kinds)s")
                    % {"kind": kind, "kinds": ", ".join(QuestionKind.values)}
                )
                continue
            n = self.integer("kinds", value, 0, MAX_COUNT)
            if n is not None:
                kinds[kind] = n
        if count is not None and sum(kinds.values()) > count:
            self.errors["kinds"].append(
                _(
                    "the kinds add up to %(n)s questions, more than the count of %(count)s: "
                    "lower a kind or raise the count"
                )
                % {"n": sum(kinds.values()), "count": count}
            )
        return kinds

    def include_unrated(self):
        include_unrated = self.data.get("include_unrated", False)
        if not isinstance(include_unrated, bool):
            self.errors["include_unrated"].append(_("must be true or false"))
        return include_unrated


class Group(NamedTuple):
    """Interchangeable questions: same skill (None for long-form), kind and difficulty.

    A named tuple: a large bank has thousands of groups per draw, and these build fast."""

    skill: int | None
    category: int | None
    kind: str
    difficulty: int  # UNRATED for unrated
    size: int


@dataclass
class Plan:
    picks: dict[Group, int]
    requested: int

    @property
    def total(self) -> int:
        return sum(self.picks.values())


# --- the flow network ---------------------------------------------------------------------


class _Flow:
    """Edmonds-Karp max-flow on a few dozen nodes."""

    def __init__(self):
        self.cap: dict[object, dict[object, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, a, b, capacity: int) -> None:
        if capacity > 0:
            self.cap[a][b] += capacity
            self.cap[b][a] += 0

    def max_flow(self, source, sink) -> int:
        total = 0
        while True:
            parent = {source: None}
            queue = deque([source])
            while queue and sink not in parent:
                node = queue.popleft()
                for nxt, c in self.cap[node].items():
                    if c > 0 and nxt not in parent:
                        parent[nxt] = node
                        queue.append(nxt)
            if sink not in parent:
                return total
            bottleneck, node = None, sink
            while parent[node] is not None:
                prev = parent[node]
                c = self.cap[prev][node]
                bottleneck = c if bottleneck is None else min(bottleneck, c)
                node = prev
            node = sink
            while parent[node] is not None:
                prev = parent[node]
                self.cap[prev][node] -= bottleneck
                self.cap[node][prev] += bottleneck
                node = prev
            total += bottleneck


class _Demands:
    """What is still wanted: per difficulty slot (bands, remainder) and per kind (quotas, free)."""

    def __init__(self, blueprint: Blueprint):
        self.blueprint = blueprint
        bp = blueprint
        if bp.bands:
            self.slots = {("band", b): b.count for b in bp.bands}
            self.slots[("rest", None)] = bp.count - sum(b.count for b in bp.bands)
        else:
            self.slots = {("range", None): bp.count}
        quotas = dict(bp.kinds)
        self.kinds = {("kind", k): n for k, n in quotas.items()}
        if bp.kinds:
            self.kinds[("free", None)] = bp.count - sum(quotas.values())
        else:
            self.kinds[("free", None)] = bp.count
        self.listed = set(quotas)

    def slot_accepts(self, slot, difficulty: int) -> bool:
        kind, band = slot
        bp = self.blueprint
        if difficulty == UNRATED:
            return bp.include_unrated and kind in ("rest", "range")
        if kind == "band":
            return band.contains(difficulty)
        if kind == "rest":
            return True
        return (bp.difficulty_min or 1) <= difficulty <= (bp.difficulty_max or 10)

    def kind_node(self, kind: str):
        return ("kind", kind) if kind in self.listed else ("free", None)

    def feasible_total(self, cells: Counter) -> int:
        """Most questions the remaining demands can still take from `cells`."""
        flow = _Flow()
        for slot, n in self.slots.items():
            flow.add("S", slot, n)
            for (difficulty, kind), size in cells.items():
                if self.slot_accepts(slot, difficulty):
                    flow.add(slot, ("cell", difficulty, kind), size)
        for (difficulty, kind), size in cells.items():
            flow.add(("cell", difficulty, kind), self.kind_node(kind), size)
        for node, n in self.kinds.items():
            flow.add(node, "T", n)
        return flow.max_flow("S", "T")

    def take(self, difficulty: int, kind: str) -> bool:
        """Record one pick; False when no demand is left that accepts it."""
        knode = self.kind_node(kind)
        if self.kinds.get(knode, 0) <= 0:
            return False
        # A band that still wants this difficulty first: the remainder accepts anything.
        order = sorted(self.slots, key=lambda s: s[0] in ("rest",))
        for slot in order:
            if self.slots[slot] > 0 and self.slot_accepts(slot, difficulty):
                self.slots[slot] -= 1
                self.kinds[knode] -= 1
                return True
        return False


def spread_key(group: Group):
    """What the draw spreads over: the skill; unrated long-form questions count as one skill."""
    return group.skill if group.skill is not None else "long-form"


def plan_assembly(blueprint: Blueprint, groups: Iterable[Group]) -> Plan:
    """Decide how many questions to take from each group. Deterministic for a given seed.

    Each pick goes to the least-used skill (then the least-used category, then a seeded
    random order); a pick is kept only if the rest of the blueprint stays as satisfiable as
    before. The cost grows with the number of groups (skill x kind x difficulty), not with
    the number of questions.
    """
    rng = random.Random(blueprint.seed)  # noqa: S311 - a draw, not a secret
    accepted = {d for d in range(UNRATED, 11) if blueprint.accepts_difficulty(d)}
    groups = [g for g in groups if g.size > 0 and g.difficulty in accepted]
    groups.sort(key=lambda g: (g.skill or 0, g.category or 0, g.kind, g.difficulty))
    tiebreak = [rng.random() for _ in groups]
    remaining = [g.size for g in groups]
    picks = [0] * len(groups)
    cells: Counter = Counter()
    for g in groups:
        cells[(g.difficulty, g.kind)] += g.size
    demands = _Demands(blueprint)
    target = demands.feasible_total(cells)

    # Each skill's groups, best tiebreak first; a skill's category is its groups' category.
    by_skill: dict[object, list[int]] = defaultdict(list)
    for index in sorted(range(len(groups)), key=tiebreak.__getitem__):
        by_skill[spread_key(groups[index])].append(index)
    skill_category = {skill: groups[ids[0]].category for skill, ids in by_skill.items()}
    skills_of_category: dict[object, list[object]] = defaultdict(list)
    for skill, category in skill_category.items():
        skills_of_category[category].append(skill)
    skill_use: Counter = Counter()
    category_use: Counter = Counter()
    # Each live skill's preference, kept up to date as picks change the counts it depends on.
    preference = {skill: (0, 0, tiebreak[ids[0]]) for skill, ids in by_skill.items()}

    def refresh(skill) -> None:
        ids = by_skill[skill]
        if ids:
            use = (skill_use[skill], category_use[skill_category[skill]], tiebreak[ids[0]])
            preference[skill] = use
        else:
            preference.pop(skill, None)

    def skills_in_order():
        if not preference:
            return
        best = min(preference, key=preference.__getitem__)
        yield best  # almost always accepted: order the rest only when it is not
        heap = [(key, n, skill) for n, (skill, key) in enumerate(preference.items())]
        heapq.heapify(heap)
        while heap:
            skill = heapq.heappop(heap)[2]
            if skill != best:
                yield skill

    def try_take(group: Group, remaining_target: int) -> bool:
        slots_before, kinds_before = dict(demands.slots), dict(demands.kinds)
        if demands.take(group.difficulty, group.kind):
            cells[(group.difficulty, group.kind)] -= 1
            if demands.feasible_total(cells) == remaining_target - 1:
                return True
            cells[(group.difficulty, group.kind)] += 1
        demands.slots, demands.kinds = slots_before, kinds_before
        return False

    taken = 0
    while taken < target:
        refused: set[tuple[int, str]] = set()  # feasibility depends on the cell alone
        chosen = None
        for skill in skills_in_order():
            for index in by_skill[skill]:
                cell = (groups[index].difficulty, groups[index].kind)
                if cell in refused:
                    continue
                if try_take(groups[index], target - taken):
                    chosen = index
                    break
                refused.add(cell)
            if chosen is not None:
                break
        if chosen is None:  # pragma: no cover - max-flow guarantees a feasible pick exists
            break
        group = groups[chosen]
        picks[chosen] += 1
        remaining[chosen] -= 1
        if remaining[chosen] == 0:
            by_skill[spread_key(group)].remove(chosen)
        skill_use[spread_key(group)] += 1
        category_use[group.category] += 1
        for skill in skills_of_category[group.category]:
            refresh(skill)
        taken += 1
    return Plan(
        picks={g: n for g, n in zip(groups, picks, strict=True) if n}, requested=blueprint.count
    )


def explain_shortfalls(
    blueprint: Blueprint, groups: Sequence[Group], plan: Plan, scope: str
) -> list[str]:
    """Say in words what the bank could not supply, then what to widen to get more; empty
    exactly when nothing is missing."""
    if plan.total >= blueprint.count:
        return []
    usable = [g for g in groups if g.size > 0]
    messages: list[str] = []

    def available(pred) -> int:
        return sum(g.size for g in usable if pred(g))

    # Facts about the bank, not about this draw, so the words are the same for every seed.
    kinds = dict(blueprint.kinds)
    for kind, wanted in kinds.items():
        for band in blueprint.bands:
            asked = min(wanted, band.count)
            in_band = available(lambda g, b=band, k=kind: g.kind == k and b.contains(g.difficulty))
            if in_band < asked:
                messages.append(
                    _(
                        "asked for %(n)s %(kind)s questions at difficulty %(band)s in %(scope)s, "
                        "the bank has %(has)s"
                    )
                    % {
                        "n": asked,
                        "kind": KIND_LABELS[kind],
                        "band": band.label,
                        "scope": scope,
                        "has": in_band,
                    }
                )
        has = available(
            lambda g, k=kind: g.kind == k and blueprint.accepts_difficulty(g.difficulty)
        )
        if has < wanted:
            messages.append(
                _("asked for %(n)s %(kind)s questions%(range)s in %(scope)s, the bank has %(has)s")
                % {
                    "n": wanted,
                    "kind": KIND_LABELS[kind],
                    "range": _range_words(blueprint),
                    "scope": scope,
                    "has": has,
                }
            )
    # Kinds given no count fill what the counted kinds leave; say so when they cannot.
    rest = blueprint.count - sum(kinds.values())
    others = [k for k in QuestionKind.values if k not in kinds]
    if kinds and rest > 0 and others:
        has = available(lambda g: g.kind in others and blueprint.accepts_difficulty(g.difficulty))
        if has < rest:
            messages.append(
                _(
                    "the other %(n)s questions must be of the kinds given no count (%(kinds)s)"
                    "%(range)s in %(scope)s, the bank has %(has)s"
                )
                % {
                    "n": rest,
                    "kinds": " / ".join(str(KIND_LABELS[k]) for k in others),
                    "range": _range_words(blueprint),
                    "scope": scope,
                    "has": has,
                }
            )
    for band in blueprint.bands:
        has = available(lambda g, b=band: b.contains(g.difficulty))
        if has < band.count:
            messages.append(
                _(
                    "asked for %(n)s questions at difficulty %(band)s in %(scope)s, "
                    "the bank has %(has)s"
                )
                % {"n": band.count, "band": band.label, "scope": scope, "has": has}
            )
    total = available(lambda g: blueprint.accepts_difficulty(g.difficulty))
    messages.append(
        (
            _(
                "in all, %(got)s of the %(count)s questions asked for%(range)s in %(scope)s "
                "fit the blueprint together (the bank has %(total)s at those difficulties)"
            )
            if blueprint.include_unrated
            else _(
                "in all, %(got)s of the %(count)s questions asked for%(range)s in %(scope)s "
                "fit the blueprint together (the bank has %(total)s at those difficulties, "
                "unrated questions excluded)"
            )
        )
        % {
            "got": plan.total,
            "count": blueprint.count,
            "range": _range_words(blueprint),
            "scope": scope,
            "total": total,
        }
    )
    messages += _widening_suggestions(blueprint, usable, plan, scope)
    return list(dict.fromkeys(messages))


def _fitting_total(blueprint: Blueprint, groups: Sequence[Group]) -> int:
    """How many questions of `groups` the blueprint can take together (what a draw gets)."""
    cells: Counter = Counter()
    for g in groups:
        if blueprint.accepts_difficulty(g.difficulty):
            cells[(g.difficulty, g.kind)] += g.size
    return _Demands(blueprint).feasible_total(cells)


def _widening_suggestions(
    blueprint: Blueprint, groups: Sequence[Group], plan: Plan, scope: str
) -> list[str]:
    """What to widen for a fuller set, each with what it would give: only what truly gives more
    (the difficulty range, unrated questions, the counts per kind), then the selection."""
    found: list[str] = []
    values = {"count": blueprint.count, "scope": scope}
    wider = (
        (
            replace(blueprint, bands=(), difficulty_min=None, difficulty_max=None),
            _(
                "to get more, widen the difficulty range: at any difficulty, %(n)s of the "
                "%(count)s questions would fit in %(scope)s"
            ),
        ),
        (
            replace(blueprint, include_unrated=True),
            _(
                "to get more, allow unrated long-form questions: %(n)s of the %(count)s "
                "questions would then fit in %(scope)s"
            ),
        ),
        (
            replace(blueprint, kinds=()),
            _(
                "to get more, lower or clear the counts per kind: without them, %(n)s of the "
                "%(count)s questions would fit in %(scope)s"
            ),
        ),
    )
    for widened, words in wider:
        n = _fitting_total(widened, groups)
        if n > plan.total:
            found.append(words % {**values, "n": n})
    if blueprint.categories or blueprint.skills:
        found.append(_("to get more, choose more categories or skills than %(scope)s") % values)
    elif not found:
        found.append(
            _(
                "nothing else in the blueprint holds the set back: %(scope)s has no more "
                "questions that fit, so ask for fewer or add questions to the bank"
            )
            % values
        )
    return found


def _range_words(blueprint: Blueprint) -> str:
    """The words naming the difficulties every question must have, such as " at difficulty
    9-10" (or "2-4, 8-10" for bands); empty when some questions may have any difficulty."""
    if blueprint.bands:
        if sum(b.count for b in blueprint.bands) != blueprint.count:
            return ""
        labels = ", ".join(b.label for b in blueprint.bands)
        return _(" at difficulty %(band)s") % {"band": labels}
    low, high = blueprint.difficulty_min, blueprint.difficulty_max
    if low is None and high is None:
        return ""
    return _(" at difficulty %(band)s") % {"band": Band(low or 1, high or 10, 0).label}
