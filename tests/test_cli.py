"""The command line as a user meets it: every command says what it does with an example in
its --help, and takes --store and --set NAME=VALUE, which choose what it works on."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from storyarchive.cli import build_parser, main

# Commands whose work needs more than a store (a story file, a URL, a Redis) are given one.
STORY_FILE = str(Path(__file__).resolve().parents[1] / "stories" / "demo-dock-strike.toml")


def commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command and sub-action (("warc", "verify"), ...) -> its parser."""
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found[(*path, name)] = sub
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return found


def leaves() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """The commands that do something (not the groups `warc` and `store`)."""
    return {path: p for path, p in commands().items()
            if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)}


def minimal_argv(path: tuple[str, ...], parser: argparse.ArgumentParser) -> list[str]:
    """The command with a value for each positional and required option."""
    argv = list(path)
    for action in parser._actions:
        if not action.option_strings and action.nargs not in ("*", "?"):
            argv.append({"story": STORY_FILE, "stories": STORY_FILE}.get(action.dest, "demo-dock-strike"))
        elif action.required and action.option_strings:
            argv += [action.option_strings[-1], "redis://127.0.0.1:1/0"]
    argv += {("capture",): ["http://127.0.0.1:1/"], ("warc", "verify"): ["--story", "demo-dock-strike"],
             ("worker",): ["--redis", "redis://127.0.0.1:1/0"]}.get(path, [])
    return argv


def test_every_command_is_covered():
    names = {" ".join(p) for p in commands()}
    assert {"demo", "crawl", "capture", "resume", "finish", "worker", "status", "schedule", "show",
            "warc", "warc verify", "wacz", "dedup", "store", "store check", "store sync", "replay",
            "reextract"} <= names


@pytest.mark.parametrize("path", sorted(commands()), ids=" ".join)
def test_help_says_what_the_command_does_with_an_example(path):
    text = commands()[path].format_help()
    usage, _, rest = text.partition("\n\n")
    description = rest.split("\n\n")[0]
    assert not re.match(r"(positional arguments|options):", description), f"no description:\n{text}"
    assert len(description.split()) >= 8, description
    name = " ".join(path)
    assert re.search(rf"(?i)example:\s+storyarchive {re.escape(name)}\b", text), text


@pytest.mark.parametrize("path", sorted(leaves()), ids=" ".join)
def test_every_command_takes_store_and_set(path):
    parser = leaves()[path]
    text = parser.format_help()
    assert "--store URI" in text and "--set NAME=VALUE" in text
    args = build_parser().parse_args([*minimal_argv(path, parser), "--store", "/tmp/x",
                                      "--set", "A=1", "--set", "B=2"])
    assert args.store == "/tmp/x" and args.set[-2:] == ["A=1", "B=2"]


@pytest.mark.parametrize("path", sorted(leaves()), ids=" ".join)
def test_a_set_value_without_a_name_is_a_usage_error(path, capsys):
    argv = [*minimal_argv(path, leaves()[path]), "--set", "CONCURRENT_REQUESTS"]
    assert main(argv) == 2
    assert "--set takes NAME=VALUE, got 'CONCURRENT_REQUESTS'" in capsys.readouterr().err


# Each command that opens the store names the one --set STORYARCHIVE_STORE chose.
STORE_COMMANDS = {
    "show": ["show", "nothing-here"],
    "wacz": ["wacz", "nothing-here"],
    "warc verify": ["warc", "verify", "--story", "nothing-here"],
    "replay": ["replay", "--story", "nothing-here"],
    "reextract": ["reextract", "nothing-here"],
    "finish": ["finish", "nothing-here"],
    "resume": ["resume", "nothing-here"],
    "store sync": ["store", "sync"],
    "store check": ["store", "check"],
}


@pytest.mark.parametrize("name", sorted(STORE_COMMANDS))
def test_set_storyarchive_store_chooses_the_store_of_every_command(name, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("STORYARCHIVE_STORE", raising=False)
    store = tmp_path / "chosen-by-set"
    main([*STORE_COMMANDS[name], "--set", f"STORYARCHIVE_STORE={store}"])
    out = capsys.readouterr()
    assert str(store) in out.out + out.err
    assert not (Path.cwd() / "archive" / "stories" / "nothing-here").exists()


def test_set_reaches_dedup(tmp_path, capsys, monkeypatch):
    """dedup reads its settings from --set: an invalid dedup threshold is refused."""
    monkeypatch.delenv("STORYARCHIVE_STORE", raising=False)
    code = main(["dedup", "nothing-here", "--store", str(tmp_path), "--set", "STORYARCHIVE_DEDUP_JACCARD=2"])
    out = capsys.readouterr()
    assert code == 2 and "JACCARD" in out.err.upper(), out
