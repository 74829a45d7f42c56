"""``nsw partners``: check the partner profiles (message_specs/partners) and summarise one."""

from __future__ import annotations

from pathlib import Path

import click

from singlewindow.adapters.gateway.profiles import (
    PartnerProfile,
    Table,
    check_profiles,
    default_directory,
    load_profiles,
)
from singlewindow.platform.catalogue import Catalogue, format_duration, load_catalogue

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def partners() -> None:
    """Partner profiles of the cross-border gateway: document types, keys, code tables."""


def _catalogue(directory: Path | None, path: Path | None) -> Catalogue:
    """The catalogue to check recipients against: the one named, else the routing folder beside a profile
    folder given with --dir (a deployment keeps partners/ and routing/ side by side), else the shipped one."""
    if path is None and directory is not None:
        beside = directory.parent / "routing" / "recipients.json"
        path = beside if beside.is_file() else None
    return load_catalogue(path)


@partners.command()
@click.option("--dir", "directory", type=_DIR, help="Profile folder (default: the shipped message_specs/partners).")
@click.option("--catalogue", "catalogue_path", type=_FILE, help="Recipients catalogue to check recipients against.")
def check(directory: Path | None, catalogue_path: Path | None) -> None:
    """Validate every profile: schema (JSON pointers), codes in the code lists, one-to-one tables, keys,
    document types, recipients. Prints each profile OK or its problems; exits 1 on any error."""
    results = check_profiles(directory, catalogue=_catalogue(directory, catalogue_path))
    if not results:
        click.echo(f"no partner profiles in {directory or default_directory()}")
        return
    errors = 0
    for path, problems in results.items():
        count = sum(problem.severity == "error" for problem in problems)
        errors += count
        click.echo(f"{path.name}: {'OK' if not count else f'{count} error(s)'}")
        for problem in problems:
            click.echo(f"  {problem.severity}: {problem.path or '/'}: {problem.message} [{problem.code}]")
    if errors:
        click.echo(f"partner profiles have {errors} error(s)", err=True)
        click.get_current_context().exit(1)


@partners.command()
@click.argument("country")
@click.option("--dir", "directory", type=_DIR, help="Profile folder (default: the shipped message_specs/partners).")
def show(country: str, directory: Path | None) -> None:
    """Summarise the profile of COUNTRY (e.g. CN): hubs, link, document types, keys, code tables."""
    profiles = load_profiles(directory)
    profile = profiles.get(country.lower())
    if profile is None:
        known = ", ".join(sorted(p.country for p in profiles.values())) or "none"
        raise click.UsageError(f"no profile of {country.upper()} (profiles: {known})")
    click.echo(summary(profile), nl=False)


def summary(profile: PartnerProfile) -> str:
    """The text ``nsw partners show`` prints."""
    lines = [
        f"{profile.name} ({profile.country}, hub {profile.hub_id}) as seen from {profile.home.hub_id}",
        f"recipient: {profile.recipient}  key: {profile.key}  clock skew: {format_duration(profile.clock_skew)}",
    ]
    if profile.link is not None:
        lines.append(f"link: {profile.link.uri} vhost {profile.link.vhost}")
    for title, terms in (("outbound", profile.outbound), ("inbound", profile.inbound)):
        lines.append(f"{title}:")
        lines += [f"  {t.document_type:<32} {t.subject} v{t.schema_version}" for t in terms]
    lines.append("keys:")
    for key in profile.keys:
        flag = "  EXAMPLE" if key.example else ""
        lines.append(f"  {key.key_id:<32} {key.valid_from.isoformat()} .. {key.valid_to.isoformat()}{flag}")
    lines.append("translations (home -> partner):")
    for table in Table:
        rows = profile.translations.table(table)
        lines.append(f"  {table.value}: {len(rows)}")
        lines += [f"    {row.home} -> {row.partner}" + (f"  ({row.note})" if row.note else "") for row in rows]
    lists = profile.translations.national_code_lists
    if lists is not None:
        lines.append(f"  national tariffs: {lists.home} -> {lists.partner} (HS travels as 6 digits)")
    return "\n".join(lines) + "\n"
