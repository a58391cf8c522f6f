"""Reading and validating an asset data file.

A broken data file must never half-load: a dangling link would silently cut the flow
network, a missing unit would turn a capacity into a guess. So the whole file is read,
every problem in it is collected, and loading fails once with all of them, each naming
the file, the entry (id and line) and what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from energywatch.errors import KnowledgeBaseError
from energywatch.kb.models import ID_PATTERN, Asset, AssetType, KBMeta

BUNDLED_ASSETS = "assets.yaml"
LINK_FIELDS = ("upstream", "downstream", "components")

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What to say when a required field is missing, beyond "missing".
_FIELD_HINTS = {
    "unit": "every capacity needs a unit such as 'Mt/yr', 'kb/d', 'bcm/yr' or 'km'",
    "type": "one of " + ", ".join(t.value for t in AssetType),
    "country": "a list of ISO 3166-1 alpha-2 codes, e.g. [RU]",
    "name": "the asset's display name",
}


@dataclass(frozen=True, slots=True)
class AssetFile:
    """What a valid data file holds, in file order."""

    path: str
    meta: KBMeta
    assets: list[Asset]


def bundled_path() -> Path:
    """The asset file shipped inside the package."""
    return Path(str(resources.files("energywatch") / "data" / BUNDLED_ASSETS))


def read_asset_file(path: Path) -> AssetFile:
    """Parse and validate ``path``; raise ``KnowledgeBaseError`` listing every problem."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError(
            f"{label}: cannot read the asset data file: {exc.strerror or exc}",
            hint="check the path (setting ENERGYWATCH_KB_PATH) or unset it to use the bundled file",
        ) from exc
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(f"{label}: the asset data file is not UTF-8 text ({exc.reason})") from exc
    root, entry_lines = _parse_yaml(label, text)
    problems: list[str] = []
    if not isinstance(root, Mapping):
        raise _error(
            label, [f"{label}: the top level must be a mapping with 'meta' and 'assets', found {_kind(root)}"]
        )
    meta = _validate_meta(label, root.get("meta"), problems)
    raw_assets = root.get("assets")
    unknown = sorted(str(k) for k in root if k not in ("meta", "assets"))
    if unknown:
        problems.append(f"{label}: unknown top-level key(s): {', '.join(unknown)}")
    if not isinstance(raw_assets, list):
        problems.append(f"{label}: 'assets' must be a list of entries, found {_kind(raw_assets)}")
        raise _error(label, problems)
    assets = _validate_entries(label, raw_assets, entry_lines, problems)
    if problems or meta is None:
        raise _error(label, problems)
    return AssetFile(path=label, meta=meta, assets=assets)


# --------------------------------------------------------------------------- parsing


def _parse_yaml(label: str, text: str) -> tuple[object, list[int]]:
    """The document and the 1-based line of each entry under ``assets``."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or exc.context or "malformed YAML"
        raise KnowledgeBaseError(
            f"{label}: {where}YAML syntax error: {what}",
            hint="fix the YAML at that position (indentation, quotes, colons)",
        ) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{label}: YAML syntax error: {exc}") from exc
    finally:
        loader.dispose()
    lines: list[int] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value == "assets"
                and isinstance(value, yaml.SequenceNode)
            ):
                lines = [item.start_mark.line + 1 for item in value.value]
    return data, lines


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"a {type(value).__name__} ({value!r:.40})"


def _error(label: str, problems: list[str]) -> KnowledgeBaseError:
    hint = "fix the entries listed (or point ENERGYWATCH_KB_PATH at another file)"
    if len(problems) == 1:
        return KnowledgeBaseError(problems[0], hint=hint)
    listing = "\n".join(f"  - {p}" for p in problems)
    return KnowledgeBaseError(
        f"{label}: {len(problems)} problems in the asset data file:\n{listing}", hint=hint
    )


# --------------------------------------------------------------------------- validation


def _validate_meta(label: str, raw: object, problems: list[str]) -> KBMeta | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{label}: 'meta' must be a mapping, found {_kind(raw)}")
        return None
    try:
        return KBMeta.model_validate(raw)
    except ValidationError as exc:
        problems.extend(f"{label}: meta: {_describe(err)}" for err in exc.errors())
        return None


def _validate_entries(
    label: str, raw_assets: list[object], lines: list[int], problems: list[str]
) -> list[Asset]:
    assets: list[Asset] = []
    first_seen: dict[str, str] = {}
    invalid_ids: set[str] = set()  # entries already reported; links to them are not re-reported
    for n, raw in enumerate(raw_assets):
        line = lines[n] if n < len(lines) else None
        where = f"line {line}" if line else f"entry #{n + 1}"
        if not isinstance(raw, Mapping):
            problems.append(f"{label}: entry #{n + 1} ({where}): not a mapping, found {_kind(raw)}")
            continue
        raw_id = raw.get("id")
        name = (
            f"entry '{raw_id}' ({where})"
            if isinstance(raw_id, str) and raw_id
            else f"entry #{n + 1} ({where})"
        )
        prefix = f"{label}: {name}: "
        if isinstance(raw_id, str) and raw_id:
            if raw_id in first_seen:
                problems.append(
                    f"{prefix}duplicate id; it is already used by the entry at {first_seen[raw_id]}"
                )
            else:
                first_seen[raw_id] = where
        try:
            assets.append(Asset.model_validate(raw))
        except ValidationError as exc:
            problems.extend(prefix + _describe(err) for err in exc.errors())
            if isinstance(raw_id, str):
                invalid_ids.add(raw_id)
    names = _entry_names(assets, raw_assets, lines)
    _check_cross_references(label, assets, names, invalid_ids, problems)
    return assets


def _entry_names(assets: Iterable[Asset], raw_assets: list[object], lines: list[int]) -> dict[str, str]:
    where: dict[str, str] = {}
    for n, raw in enumerate(raw_assets):
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str) and raw["id"] not in where:
            where[raw["id"]] = f"line {lines[n]}" if n < len(lines) else f"entry #{n + 1}"
    return {a.id: f"entry '{a.id}' ({where.get(a.id, '?')})" for a in assets}


def _check_cross_references(
    label: str, assets: list[Asset], names: dict[str, str], invalid_ids: set[str], problems: list[str]
) -> None:
    by_id = {a.id: a for a in assets}
    for asset in assets:
        prefix = f"{label}: {names[asset.id]}: "
        for link_field in LINK_FIELDS:
            for target in getattr(asset, link_field):
                if target == asset.id:
                    problems.append(f"{prefix}{link_field} link '{target}' points at the entry itself")
                elif target not in by_id and target not in invalid_ids:
                    problems.append(f"{prefix}{link_field} link '{target}' does not resolve to a known asset")
        for target in asset.upstream:
            other = by_id.get(target)
            if other is not None and asset.id not in other.downstream:
                problems.append(
                    f"{prefix}upstream link '{target}' is not mirrored: '{target}' does not list "
                    f"'{asset.id}' downstream"
                )
        for target in asset.downstream:
            other = by_id.get(target)
            if other is not None and asset.id not in other.upstream:
                problems.append(
                    f"{prefix}downstream link '{target}' is not mirrored: '{target}' does not list "
                    f"'{asset.id}' upstream"
                )
        own = asset.source_ids()
        seen_sources: set[str] = set()
        for ref in asset.sources:
            if ref.id in seen_sources:
                problems.append(f"{prefix}source '{ref.id}' is listed twice")
            seen_sources.add(ref.id)
        for n, cap in enumerate(asset.capacity, 1):
            for sid in cap.sources:
                if sid not in own:
                    problems.append(
                        f"{prefix}capacity entry {n} cites source '{sid}', which the entry does not list"
                    )
        for n, event in enumerate(asset.history, 1):
            for sid in event.sources:
                if sid not in own:
                    problems.append(
                        f"{prefix}history entry {n} cites source '{sid}', which the entry does not list"
                    )


def _describe(err: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence a data editor can act on."""
    loc = _loc(err.get("loc", ()))
    kind = err.get("type", "")
    value = err.get("input")
    field_name = next((str(p) for p in reversed(err.get("loc", ())) if isinstance(p, str)), "")
    if kind == "missing":
        hint = _FIELD_HINTS.get(field_name)
        what = f"missing field '{loc}'"
        if field_name == "unit":
            what = f"capacity entry {_capacity_number(err)} has no unit"
        return f"{what} ({hint})" if hint else what
    if kind == "extra_forbidden":
        return f"unknown field '{loc}' (a typo? see meta.schema_notes for the fields)"
    if kind == "enum" and field_name == "type":
        return f"unknown asset type {value!r} ({_FIELD_HINTS['type']})"
    if kind == "string_pattern_mismatch" and loc == "id":
        return f"id {value!r} is not snake_case (pattern {ID_PATTERN})"
    if kind == "string_too_short" and field_name == "unit":
        return f"capacity entry {_capacity_number(err)} has an empty unit ({_FIELD_HINTS['unit']})"
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{loc}: {message}" if loc else message


def _capacity_number(err: Mapping[str, Any]) -> str:
    loc = list(err.get("loc", ()))
    if "capacity" in loc:
        idx = loc.index("capacity") + 1
        if idx < len(loc) and isinstance(loc[idx], int):
            return str(loc[idx] + 1)
    return "?"


def _loc(parts: Iterable[object]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
