"""The `privlint` command line (SPEC §4). Exit codes: 0 clean, 1 findings at or above
--fail-on, 2 usage/configuration error or internal error — never a traceback."""

from __future__ import annotations

import datetime as dt
import errno
import gc
import os
import sys
from collections.abc import Iterable, Iterator

import click

from privlint import __version__

from .paths import forget_real_paths
from .registry import FAIL_ON, fails
from .wording import visible


class _Usage(click.ClickException):
    exit_code = 2

    def show(self, file=None):
        click.echo(f"privlint: error: {visible(self.format_message())}", err=True)


def _parse_date(_ctx, _param, value):
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _a_path(_ctx, param, value):
    """A path option given as '' was taken as not given: `--write-baseline ""` wrote no
    baseline and exited 0, `--config ""` searched for a configuration instead, and `--output
    ""` said "privlint: error: : cannot write the report (No such file or directory)". A PATH
    argument given as '' (an unset shell variable: `privlint fmt "$DIR"`) was the current
    directory to pathlib, so fmt rewrote every inventory file there."""
    if "" in (value if isinstance(value, tuple) else (value,)):
        hint = " (use . for the current directory)" if param.param_type_name == "argument" else ""
        raise click.BadParameter(f"an empty path{hint}")
    return value


def _rule_list(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _resolve_rules(select: tuple[str, ...], ignore: tuple[str, ...]):
    from .registry import all_rules, lookup

    def matching(reference: str):
        rule = lookup(reference)
        if rule:
            return [rule]
        prefix = [rule for rule in all_rules() if rule.id.lower().startswith(reference.lower())]
        if not prefix:
            raise _Usage(f"unknown rule '{reference}' (see `privlint rules`)")
        return prefix

    selected = [rule for reference in _rule_list(select) for rule in matching(reference)] or list(all_rules())
    ignored = {rule.id for reference in _rule_list(ignore) for rule in matching(reference)}
    chosen = {rule.id: rule for rule in selected if rule.id not in ignored}
    if not chosen:  # a gate that checks nothing would pass every inventory
        raise _Usage("every selected rule is also ignored: nothing would be checked")
    # No rule can judge an inventory that cannot be read as written: a file that does not
    # parse (PL000) or match the schema (PL001) is reported whatever is selected. `--select
    # PL101` on a file that did not parse said "No findings" and passed the gate.
    for rule in all_rules():
        if rule.id in ALWAYS_CHECKED:
            chosen.setdefault(rule.id, rule)
    return tuple(sorted(chosen.values(), key=lambda rule: rule.id))


ALWAYS_CHECKED = ("PL000", "PL001")


def _show_help(ctx, _param, value):
    """--help written as every command's output is: click's own echo, on a full stdout
    (`privlint --help > /dev/full`), ended in 'internal error: OSError'."""
    if value and not ctx.resilient_parsing:
        _emit(ctx.get_help() + "\n", None, has_output_option=False)
        ctx.exit()


def _show_version(ctx, _param, value):
    if value and not ctx.resilient_parsing:
        _emit(f"privlint {__version__}\n", None, has_output_option=False)
        ctx.exit()


class _Command(click.Command):
    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.callback = _show_help
        return option


class _Group(_Command, click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and exit.")
def cli():
    """privlint: check a data inventory against the claims of its privacy policy."""
    forget_real_paths()


@cli.command()
@click.argument("paths", nargs=-1, callback=_a_path)
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif", "junit", "github", "html"]), default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), callback=_a_path, help="Write the report to FILE.")
@click.option("--select", multiple=True, help="Only these rules (IDs, names or ID prefixes; comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (IDs, names or ID prefixes; comma-separated).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Exit 1 when a finding is at or above this severity.  [default: error]")
@click.option("--as-of", callback=_parse_date, help="Judge dated facts as of DATE (default: today).")
@click.option("--recursive", is_flag=True, help="Lint every inventory directory below each PATH.")
@click.option("--no-color", is_flag=True, help="No ANSI colours (also: NO_COLOR).")
@click.option("--config", "config_path", callback=_a_path, help="Configuration file (default: .privlint.yaml or pyproject.toml).")
@click.option("--baseline", "baseline_path", callback=_a_path, help="Accept the findings recorded in this baseline file.")
@click.option("--write-baseline", callback=_a_path, help="Record the current findings as the accepted baseline in FILE.")
@click.option("--changed-files", is_flag=True,
              help="PATHs are changed files (pre-commit): lint the inventory each belongs to, once; "
                   "skip YAML files that belong to no inventory.")
def check(paths, output_format, output, select, ignore, fail_on, as_of, recursive, no_color,
          config_path, baseline_path, write_baseline, changed_files):
    """Lint inventories (files, or directories of YAML files). PATHS default to the configured
    inventories, else ./inventory.yaml."""
    from . import baseline, config, engine

    try:
        settings = config.load(config_path)
        # Rule selection on the command line replaces the configured one as a whole.
        if select or ignore:
            rules = _resolve_rules(select, ignore)
        else:
            rules = _resolve_rules(tuple(settings.select), tuple(settings.ignore))
        fail_on = fail_on or settings.fail_on or "error"
        targets = _check_targets(paths, changed_files, recursive or settings.recursive, settings)
        read = [file for target in targets for file in target.files] + list(filter(None, [settings.path]))
        engine.refuse_overwriting(write_baseline, read, "baseline")
        baseline_path = baseline_path or settings.baseline
        if baseline_path and not write_baseline:
            read.append(baseline_path)
        engine.refuse_overwriting(output, [*read, *filter(None, [write_baseline])], "report")
        # Read before checking: a baseline that cannot be used is said at once, not after minutes.
        accepted = baseline.read(baseline_path) if baseline_path and not write_baseline else None
        findings, contexts = _check_all(targets, rules, settings, as_of, keep_contexts=output_format == "html")
        if accepted is not None:
            findings = baseline.apply(findings, accepted)
        if write_baseline:
            baseline.write(write_baseline, findings)
            findings = baseline.apply(findings, {finding.fingerprint for finding in findings})
    except engine.UsageError as exc:
        raise _Usage(str(exc)) from None
    findings = engine.in_report_order(findings)
    color = (
        output_format == "text" and not no_color and "NO_COLOR" not in os.environ and output is None
        and sys.stdout is not None and sys.stdout.isatty()
    )
    rendered = _report(output_format, findings, contexts, rules, settings, as_of, color)
    _emit(rendered, output, utf8=output_format in UTF8_FORMATS)
    sys.exit(1 if fails(findings, fail_on) else 0)


def _check_targets(paths, changed_files: bool, recursive: bool, settings) -> list:
    """The inventories `check` names: those the changed files belong to (pre-commit), else
    PATHS, else the configured ones, else ./inventory.yaml."""
    from . import discover

    if changed_files and paths:
        configured = settings.inventories and discover.targets(settings.inventories, recursive=recursive)
        return discover.changed_targets(list(paths), configured or None, recursive=recursive)
    return discover.targets(list(paths) or settings.inventories or ["inventory.yaml"], recursive=recursive)


def _check_all(targets, rules, settings, as_of, keep_contexts: bool) -> tuple[list, list]:
    """Every target's findings, and what its report needs of each: the context itself for the
    HTML report, which draws the map; a summary (engine.Checked) for the others, so each
    inventory's documents and map are freed before the next is loaded or the report is
    written (memory is the largest inventory's, not the sum)."""
    from . import engine

    findings = []
    contexts = []
    for target in targets:
        context = engine.load_context(target.name, list(target.files), as_of, settings.vendors)
        findings.extend(engine.run(context, rules, settings.severity))
        if keep_contexts:
            contexts.append(context)
        else:
            contexts.append(engine.Checked.of(context))
            del context
            # Reference counting frees nearly all of it; the collector is paused, and a pass
            # of the youngest generation takes the few cycles (networkx's views, under 1 MB):
            # with the collector paused, everything made since the last pass is there, and a
            # full pass walked every imported module and every earlier finding again (3,000
            # one-system inventories: 26 s of 29).
            if len(targets) > 1:
                gc.collect(0)
    return findings, contexts


def _report(output_format: str, findings, contexts, rules, settings, as_of, color: bool) -> Iterable[str]:
    """The report in `output_format`, as chunks of text."""
    from . import report

    if output_format == "json":
        return report.json_chunks(findings)
    if output_format == "sarif":
        from .sarif import sarif_chunks

        return sarif_chunks(findings, settings.severity)
    if output_format == "junit":
        from .junit import junit_report

        return junit_report(findings, contexts, rules)
    if output_format == "github":
        from .annotations import github_report

        return github_report(findings, len(contexts))
    if output_format == "html":
        from .html import html_report

        return html_report(findings, contexts, as_of)
    return report.text_chunks(findings, len(contexts), color=color)


@cli.command("diff")
@click.argument("base_ref")
@click.argument("path", required=False, callback=_a_path)
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="markdown is made to be posted as a pull-request comment.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), callback=_a_path, help="Write the report to FILE.")
@click.option("--select", multiple=True, help="Only these rules (IDs, names or ID prefixes; comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (IDs, names or ID prefixes; comma-separated).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Exit 1 when an introduced finding is at or above this severity.  [default: error]")
@click.option("--as-of", callback=_parse_date, help="Judge dated facts as of DATE (default: today).")
@click.option("--recursive", is_flag=True, help="Compare every inventory directory below PATH.")
@click.option("--config", "config_path", callback=_a_path, help="Configuration file (default: .privlint.yaml or pyproject.toml).")
def diff_command(base_ref, path, output_format, output, select, ignore, fail_on, as_of, recursive, config_path):
    """Plan-style report of an inventory change against git revision BASE_REF: recipients,
    systems, flows and policy claims added (+), removed (-) and changed (~); findings introduced
    and resolved. Exits 1 only when introduced findings reach --fail-on. PATH defaults to the
    configured inventories, else ./inventory.yaml."""
    from . import config, diff, engine

    try:
        settings = config.load(config_path)
        engine.refuse_overwriting(output, list(filter(None, [settings.path])), "report")
        if select or ignore:
            rules = _resolve_rules(select, ignore)
        else:
            rules = _resolve_rules(tuple(settings.select), tuple(settings.ignore))
        result = diff.diff(
            base_ref,
            [path] if path else settings.inventories or ["inventory.yaml"],
            as_of,
            rules,
            severities=settings.severity,
            vendors=settings.vendors,
            recursive=recursive or settings.recursive,
            fail_on=fail_on or settings.fail_on or "error",
            output=output,
        )
    except engine.UsageError as exc:
        raise _Usage(str(exc)) from None
    render = {"text": diff.text_report, "markdown": diff.markdown_report, "json": diff.json_report}[output_format]
    _emit(render(result), output, utf8=output_format == "json")
    sys.exit(1 if result.failed else 0)


@cli.command("rules")
def list_rules():
    """List the rules: ID, name, default severity, summary."""
    from .docs import rules_table

    _emit(rules_table(), None, has_output_option=False)


@cli.command()
@click.argument("rule")
def explain(rule):
    """Show a rule's documentation (by ID or name)."""
    from .registry import lookup

    found = lookup(rule)
    if found is None:
        raise _Usage(f"unknown rule '{rule}' (see `privlint rules`)")
    _emit(f"{found.docs}\n\nDefault severity: {found.severity}.\n", None, has_output_option=False)


@cli.command()
@click.argument("path", required=False, callback=_a_path)
@click.option("--format", "output_format", type=click.Choice(["mermaid", "dot", "json"]), default="mermaid",
              show_default=True, help="mermaid renders in GitHub markdown; dot is for Graphviz.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), callback=_a_path, help="Write the map to FILE.")
@click.option("--as-of", callback=_parse_date, help="Judge dated facts as of DATE (default: today).")
@click.option("--config", "config_path", callback=_a_path, help="Configuration file (default: .privlint.yaml or pyproject.toml).")
def graph(path, output_format, output, as_of, config_path):
    """The data map of the inventory at PATH (default: the first configured inventory, else
    ./inventory.yaml): systems, recipients and flows, styled by kind, role and country, with
    undisclosed recipients, transfers without a valid basis and sale/share conflicts on it."""
    from . import engine, render

    try:
        rendered = render.graph(path, output_format, as_of, config_path, output)
    except engine.UsageError as exc:
        raise _Usage(str(exc)) from None
    except render.Unmappable as exc:
        click.echo(str(exc), err=True, nl=False)
        sys.exit(1)
    _emit(rendered, output, utf8=output_format == "json")


@cli.command("fmt")
@click.argument("paths", nargs=-1, callback=_a_path)
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change; exit 1 if any.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print the changes as a unified diff.")
@click.option("--recursive", is_flag=True, help="Format every inventory directory below each PATH.")
def fmt_command(paths, check, show_diff, recursive):
    """Format inventory files canonically (key order, indentation), keeping every comment and
    value. Default: ./inventory.yaml. Files that do not parse are reported, never written.
    A file over 1 MB or 100,000 values is refused with exit 2, and so is a run of files over 1 MB,
    35,000 values or 500 files in all (PRIVLINT_MAX_FMT_MB raises them)."""
    from . import discover, engine, fmt

    try:
        targets = discover.targets(list(paths) or ["inventory.yaml"], recursive=recursive)
    except engine.UsageError as exc:
        raise _Usage(str(exc)) from None
    files = list(dict.fromkeys(file for target in targets for file in target.files))
    named = ", ".join(visible(path) for path in list(paths)[:3]) + (
        f" and {len(paths) - 3:,} more" if len(paths) > 3 else "")
    try:  # the whole run's budget, before any file is formatted
        fmt.check_run(files, named or "inventory.yaml")
    except engine.UsageError as exc:
        raise _Usage(str(exc)) from None
    dry = check or show_diff
    changed = refused = 0
    for file in files:
        shown = visible(engine.display_path(file))  # in messages and diff headers
        try:
            result = fmt.format_file(file, shown, check=dry, want_diff=show_diff)
        except engine.UsageError as exc:
            raise _Usage(str(exc)) from None
        if result.error is not None:
            refused += 1
            error = result.error
            rule = "PL000 [error]" if isinstance(error, fmt.YamlError) else "[error]"
            click.echo(f"{shown}:{error.line}:{error.column}: {rule} {visible(error.message)} (not formatted)", err=True)
        elif result.changed:
            changed += 1
            if show_diff:
                _emit(result.diff, None, has_output_option=False)
            else:
                _emit(f"{'would reformat' if check else 'reformatted'} {shown}\n", None, has_output_option=False)
    verb = "would be reformatted" if dry else "reformatted"
    summary = f"{changed} file{'s' if changed != 1 else ''} {verb}, {len(files) - changed - refused} unchanged"
    if refused:
        summary += f", {refused} not formatted (errors above)"
    click.echo(summary + ".", err=True)
    sys.exit(1 if refused or (dry and changed) else 0)


@cli.command("schema")
def schema_command():
    """Print the inventory JSON Schema (draft 2020-12), e.g. for an editor's YAML language
    server: `privlint schema > privlint.schema.json`."""
    from importlib import resources

    text = resources.files("privlint.data").joinpath("inventory.schema.json").read_text("utf-8")
    _emit(text, None, has_output_option=False, utf8=True)


@cli.command()
@click.argument("path", required=False, default="inventory.yaml", callback=_a_path)
def init(path):
    """Write a commented starter inventory to PATH (default ./inventory.yaml; in it, if PATH is
    a directory, or ends in a slash: a new directory is created). Never overwrites a file."""
    from . import starter

    try:
        written = starter.write(path)
    except starter.Exists as exc:
        raise _Usage(f"{exc}: already exists; not overwriting it") from None
    except OSError as exc:
        raise _Usage(f"{path}: cannot write the starter inventory ({exc.strerror or exc})") from None
    shown = visible(os.fsencode(str(written)).decode("utf-8", "backslashreplace"))
    _emit(f"Wrote {shown}. Check it with: privlint check {shown}\n", None, has_output_option=False)


# Reports that are documents in UTF-8: JSON (RFC 8259) and SARIF require it, the JUnit XML
# and the HTML page declare it.
UTF8_FORMATS = ("json", "sarif", "junit", "html")


def _emit(
    rendered: str | Iterable[str], output: str | None, has_output_option: bool = True, utf8: bool = False
) -> None:
    """Write a report, given whole or in chunks (large reports are never held whole); every
    command writes its standard output through here, so a full device or a closed stdout
    is a usage error, not an internal one, nor output lost with exit 0. A `utf8` report is
    written in UTF-8 whatever the locale or PYTHONIOENCODING says (in latin-1, a SARIF
    report's '§' was a byte no parser reads), as it is to --output FILE."""
    chunks = [rendered] if isinstance(rendered, str) else _batches(rendered)
    if output is None:
        if sys.stdout is None:  # started with stdout closed (`>&-`): click would drop the report
            hint = "; use --output FILE" if has_output_option else ""
            raise _Usage(f"cannot write the report: standard output is closed{hint}")
        if utf8 and hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
        try:
            for chunk in chunks:
                click.echo(chunk, nl=False)
            sys.stdout.flush()
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader stopped (`| head`): click exits quietly
                raise
            # What is still buffered would fail again, with a traceback, when Python flushes
            # stdout at exit: it goes nowhere instead.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise _Usage(f"cannot write the report to standard output ({exc.strerror or exc})") from None
        return
    from .loader import never_waiting, no_reader

    try:
        with open(output, "w", encoding="utf-8", opener=never_waiting) as handle:
            handle.writelines(chunks)
    except OSError as exc:
        raise _Usage(f"{output}: cannot write the report ({no_reader(exc)})") from None


def _batches(chunks: Iterable[str], size: int = 1000) -> Iterator[str]:
    batch = []
    for chunk in chunks:
        batch.append(chunk)
        if len(batch) == size:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def main() -> None:
    # One command, then exit. It builds large acyclic structures (documents, model, data map):
    # cyclic garbage collection passes over them free nothing and cost ~20% of a big check
    # (measured: same peak memory without them, on valid and on all-invalid inventories).
    gc.disable()
    # A terminal or PYTHONIOENCODING that cannot encode a name (latin-1 and a snowman in a
    # file name) ended in 'internal error: UnicodeEncodeError': such characters are written
    # as escapes (`\u2603`) instead. Reports written with --output are UTF-8 always.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        cli.main(prog_name="privlint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("privlint: aborted", err=True)
        sys.exit(2)
    except click.UsageError as exc:  # one line, like every other usage error
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `privlint`: the help, as click shows it
            exc.show()
            sys.exit(2)
        command = exc.ctx.command_path if exc.ctx else "privlint"
        click.echo(f"privlint: error: {_one_line(exc.format_message())} (see '{command} --help')", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except SystemExit:
        raise
    except MemoryError:
        # Written from bytes made at startup: memory is exhausted, and the data that filled it
        # is still referenced from the traceback. Partial output is abandoned, not flushed.
        os.write(2, _OUT_OF_MEMORY)
        os._exit(2)
    except BaseException as exc:  # noqa: BLE001 - the contract is one line, never a traceback
        if isinstance(exc, KeyboardInterrupt):
            click.echo("privlint: interrupted", err=True)
        else:
            click.echo(f"privlint: internal error: {type(exc).__name__}: {_one_line(str(exc))}", err=True)
        sys.exit(2)


_OUT_OF_MEMORY = (
    b"privlint: error: out of memory checking this inventory; split it into several inventories, "
    b"or run privlint where more memory is available\n"
)


def _one_line(message: str) -> str:
    """A message for stderr: its whitespace runs made one space, the control characters left
    (a file name's ESC) shown as escapes."""
    return visible(" ".join(message.split()))
