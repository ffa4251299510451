"""`ecomops check-content` (LAW-02): any text from a file or standard input; exit status 1 when it has
hits, 0 when clean, 2 when the command could not run, so that scripts can rely on it."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command

from ecomops import cli
from ecomops.compliance import actions
from ecomops.compliance.enums import PhraseKind

pytestmark = pytest.mark.django_db


def run(*args, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """Call the command in-process; (exit status, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
    try:
        call_command("check-content", *args, stdout=out, stderr=err)
    except SystemExit as stop:
        return stop.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def listing(tmp_path):
    path = tmp_path / "listing.txt"
    path.write_text("西湖龙井 明前特级\n全网第一的口感，T O P 1 好茶\n", encoding="utf-8")
    return path


def test_hits_are_printed_with_line_column_term_and_reason_and_exit_1_law02(listing):
    status, out, err = run(str(listing))
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{listing}:2:1: 全网第一 「全网第一」 [排名用语] ")
    assert lines[1].startswith(f"{listing}:2:9: TOP1 「T O P 1」 [排名用语] ")
    assert "广告法" in lines[0] and len(lines) == 2
    assert "2 处禁用词" in err


def test_a_clean_text_exits_0(tmp_path):
    path = tmp_path / "clean.txt"
    path.write_text("清香回甘，第一次冲泡请用 85 度水。", encoding="utf-8")
    assert run(str(path)) == (0, "", "未发现禁用词 / no barred terms found\n")


def test_standard_input_is_read_with_a_dash_or_no_file(monkeypatch):
    status, out, _ = run("-", stdin="口感最*佳", monkeypatch=monkeypatch)
    assert status == 1 and out.startswith("<stdin>:1:3: 最佳 「最*佳」")
    status, out, _ = run(stdin="清香回甘", monkeypatch=monkeypatch)
    assert (status, out) == (0, "")


def test_the_clients_allowed_phrases_apply_with_client(org, officer, tmp_path):
    actions.create_allowed_phrase(user=officer, phrase="至尊宝", kind=PhraseKind.TRADEMARK, client=org.client_a)
    path = tmp_path / "post.txt"
    path.write_text("至尊宝保温杯", encoding="utf-8")
    assert run(str(path), "--client", "CA")[0] == 0
    assert run(str(path), "--client", "CB")[0] == 1
    assert run(str(path))[0] == 1


def test_json_output_for_scripts(listing):
    status, out, _ = run(str(listing), "--format", "json")
    body = json.loads(out)
    assert status == 1 and body["needs_review"] is True
    assert [(h["term"], h["line"], h["column"], h["matched"]) for h in body["hits"]] == [
        ("全网第一", 2, 1, "全网第一"), ("TOP1", 2, 9, "T O P 1"),
    ]


def test_a_command_that_cannot_run_says_why_with_status_2(tmp_path):
    with pytest.raises(CommandError) as missing:
        run(str(tmp_path / "nope.txt"))
    assert missing.value.returncode == 2
    path = tmp_path / "gbk.txt"
    path.write_bytes("全网第一".encode("gbk"))
    with pytest.raises(CommandError) as not_utf8:
        run(str(path))
    assert not_utf8.value.returncode == 2 and "UTF-8" in str(not_utf8.value)
    with pytest.raises(CommandError) as unknown:
        run(str(path), "--client", "NOPE")
    assert unknown.value.returncode == 2


def test_the_ecomops_command_exits_with_these_statuses(listing, tmp_path, monkeypatch, capsys):
    """Through ``ecomops`` itself, as a shell script calls it."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)  # keep the test's transaction
    clean = tmp_path / "clean.txt"
    clean.write_text("清香回甘", encoding="utf-8")
    for args, status in [([str(listing)], 1), ([str(clean)], 0), ([str(tmp_path / "nope.txt")], 2)]:
        with pytest.raises(SystemExit) as stop:
            cli.main(["check-content", *args])
            raise SystemExit(0)  # a clean run returns normally
        assert stop.value.code == status, args
    assert "cannot read" in capsys.readouterr().err
