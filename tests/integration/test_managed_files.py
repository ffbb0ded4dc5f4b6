"""managed_files on real files of this machine, through ansible-playbook.

What the roles rely on: a file is written only when its content or attributes
differ, the result names the files that changed (a role restarts its service on
them), check mode writes nothing and still says what would change, diff mode
shows the content unless a file asks not to, and every wrong value stops the
task before any file is written.
"""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest
from playbook_run import run_task


def _group_other_than_own() -> str:
    """A group other than the user's own, to see a group change."""
    own = os.getgid()
    return next(entry.gr_name for entry in grp.getgrall() if entry.gr_gid != own)


def _spec(path: Path, content: str, **attributes) -> dict:
    return {"dest": str(path), "content": content, **attributes}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_new_files_then_changes_nothing(tmp_path: Path) -> None:
    first, second = tmp_path / "server.properties", tmp_path / "log4j2.yaml"
    files = [
        _spec(first, "broker.id=1\n", mode="0640"),
        _spec(second, "Configuration: {}\n", mode="0600"),
    ]

    written = run_task("managed_files", {"files": files})
    assert not written.failed, written.msg
    assert written.changed
    assert written.result["changed_files"] == [str(first), str(second)]
    assert written.result["content_changed_files"] == [str(first), str(second)]
    assert first.read_text() == "broker.id=1\n" and second.read_text() == "Configuration: {}\n"
    assert (_mode(first), _mode(second)) == (0o640, 0o600)
    # No temporary file is left beside them.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log4j2.yaml", "server.properties"]

    again = run_task("managed_files", {"files": files})
    assert not again.failed, again.msg
    assert not again.changed
    assert again.result["changed_files"] == [] and again.result["diff"] == []


def test_only_the_differing_file_is_written_and_named(tmp_path: Path) -> None:
    same, edited = tmp_path / "zoo.cfg", tmp_path / "myid"
    same.write_text("tickTime=2000\n")
    edited.write_text("1\n")
    untouched_mtime = same.stat().st_mtime_ns

    result = run_task(
        "managed_files", {"files": [_spec(same, "tickTime=2000\n"), _spec(edited, "2\n")]}
    )
    assert not result.failed, result.msg
    assert result.result["changed_files"] == [str(edited)]
    assert result.result["content_changed_files"] == [str(edited)]
    assert edited.read_text() == "2\n"
    assert same.stat().st_mtime_ns == untouched_mtime
    [diff] = result.result["diff"]
    assert (diff["before"], diff["after"]) == ("1\n", "2\n")
    assert diff["before_header"] == str(edited)


def test_check_mode_reports_and_writes_nothing(tmp_path: Path) -> None:
    existing, new = tmp_path / "server.properties", tmp_path / "new.conf"
    existing.write_text("old\n")
    existing.chmod(0o644)

    checked = run_task(
        "managed_files",
        {"files": [_spec(existing, "new\n", mode="0640"), _spec(new, "x\n", mode="0640")]},
        check=True,
    )
    assert not checked.failed, checked.msg
    assert checked.changed
    assert checked.result["changed_files"] == [str(existing), str(new)]
    assert existing.read_text() == "old\n" and _mode(existing) == 0o644
    assert not new.exists()
    before_after = [(d["before"], d["after"]) for d in checked.result["diff"]]
    assert before_after == [("old\n", "new\n"), ("", "x\n")]


def test_check_mode_on_a_host_whose_directory_is_not_made_yet(tmp_path: Path) -> None:
    # An earlier task would create the directory; in check mode it did not.
    missing = tmp_path / "not-yet" / "server.properties"
    checked = run_task(
        "managed_files", {"files": [_spec(missing, "a\n", owner="root")]}, check=True
    )
    assert not checked.failed, checked.msg
    assert checked.result["changed_files"] == [str(missing)]
    assert not missing.parent.exists()


def test_attributes_alone_are_a_change_without_a_content_change(tmp_path: Path) -> None:
    path = tmp_path / "kafka.service"
    path.write_text("[Unit]\n")
    path.chmod(0o600)
    group = _group_other_than_own()

    result = run_task(
        "managed_files", {"files": [_spec(path, "[Unit]\n", mode="0644", group=group)]}
    )
    assert not result.failed, result.msg
    assert result.result["changed_files"] == [str(path)]
    assert result.result["content_changed_files"] == []
    assert _mode(path) == 0o644
    assert path.stat().st_gid == grp.getgrnam(group).gr_gid
    [diff] = result.result["diff"]
    assert diff["before"]["mode"] == "0600" and diff["after"]["mode"] == "0644"


def test_a_file_can_keep_its_content_out_of_the_diff(tmp_path: Path) -> None:
    path = tmp_path / "jaas.conf"
    path.write_text('password="old-secret"\n')
    result = run_task(
        "managed_files", {"files": [_spec(path, 'password="new-secret"\n', diff=False)]}
    )
    assert not result.failed, result.msg
    assert path.read_text() == 'password="new-secret"\n'
    shown = repr(result.result["diff"])
    assert "secret" not in shown
    assert "content hidden" in shown


def test_a_secret_file_appears_nowhere_in_the_result_and_the_others_still_show(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "jaas.conf"
    secret.write_text('password="old-secret"\n')
    plain = tmp_path / "zoo.cfg"
    result = run_task(
        "managed_files",
        {
            "files": [
                {"dest": str(secret), "secret_content": 'password="new-secret"\n', "mode": "0640"},
                _spec(plain, "clientPort=2181\n"),
            ]
        },
    )
    assert not result.failed, result.msg
    assert secret.read_text() == 'password="new-secret"\n'
    assert result.result["changed_files"] == [str(secret), str(plain)]
    assert result.result["content_changed_files"] == [str(secret), str(plain)]
    # Neither the new nor the old content, in the diff or the task's arguments.
    shown = repr(result.result)
    assert "new-secret" not in shown and "old-secret" not in shown
    [arguments] = result.result["invocation"]["module_args"]["files"][:1]
    assert arguments["secret_content"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    secret_diff, plain_diff = result.result["diff"]
    assert "content hidden" in secret_diff["after"]
    assert plain_diff["after"] == "clientPort=2181\n"
    again = run_task(
        "managed_files",
        {
            "files": [
                {"dest": str(secret), "secret_content": 'password="new-secret"\n', "mode": "0640"}
            ]
        },
    )
    assert not again.failed and not again.changed


@pytest.mark.parametrize(
    ("bad_entry", "message"),
    [
        ({"dest": "relative/path.conf", "content": "x"}, "must be an absolute path"),
        ({"mode": "rw-r--r--"}, "is not an octal mode"),
        ({"mode": "0999"}, "is not an octal mode"),
        ({"owner": "no-such-user-datapipe"}, "no such user 'no-such-user-datapipe'"),
        ({"group": "no-such-group-datapipe"}, "no such group 'no-such-group-datapipe'"),
        ({"dest": "/nonexistent-datapipe-dir/x.conf"}, "does not exist"),
        ({"dest": "FIRST"}, "named more than once"),
    ],
    ids=[
        "relative-dest",
        "symbolic-mode",
        "not-octal",
        "unknown-owner",
        "unknown-group",
        "missing-directory",
        "repeated-dest",
    ],
)
def test_a_wrong_value_stops_the_task_before_any_file_is_written(
    tmp_path: Path, bad_entry: dict, message: str
) -> None:
    first = tmp_path / "first.conf"
    first.write_text("kept\n")
    bad = {"dest": str(tmp_path / "second.conf"), "content": "y\n", **bad_entry}
    if bad["dest"] == "FIRST":
        bad["dest"] = str(first)
    # The good file comes first: it must not be written either.
    result = run_task("managed_files", {"files": [_spec(first, "replaced\n"), bad]})
    assert result.failed
    assert message in result.msg
    assert result.msg.startswith("Nothing was written")
    assert first.read_text() == "kept\n"
    assert not (tmp_path / "second.conf").exists()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "one of the following is required: content, secret_content"),
        (
            {"content": "x\n", "secret_content": "y\n"},
            "parameters are mutually exclusive: content|secret_content",
        ),
    ],
    ids=["no-content", "both-contents"],
)
def test_a_missing_or_doubled_content_is_refused_by_the_argument_spec(
    tmp_path: Path, given: dict, message: str
) -> None:
    result = run_task("managed_files", {"files": [{"dest": str(tmp_path / "a.conf"), **given}]})
    assert result.failed
    assert message in result.msg
    assert not (tmp_path / "a.conf").exists()


def test_directories_are_made_with_their_parents_before_the_files(tmp_path: Path) -> None:
    conf = tmp_path / "etc" / "kafka"
    data = tmp_path / "var" / "lib" / "kafka"
    args = {
        "directories": [{"path": str(conf), "mode": "0750"}, {"path": str(data), "mode": "0700"}],
        "files": [_spec(conf / "server.properties", "node.id=1\n", mode="0640")],
    }

    checked = run_task("managed_files", args, check=True)
    assert not checked.failed, checked.msg
    assert checked.result["changed_directories"] == [str(conf), str(data)]
    assert not (tmp_path / "etc").exists() and not (tmp_path / "var").exists()

    made = run_task("managed_files", args)
    assert not made.failed, made.msg
    assert made.result["changed_directories"] == [str(conf), str(data)]
    assert made.result["changed_files"] == [str(conf / "server.properties")]
    # Each directory made gets the attributes asked for, its new parents too.
    assert (_mode(conf), _mode(conf.parent), _mode(data), _mode(data.parent)) == (
        0o750,
        0o750,
        0o700,
        0o700,
    )
    assert (conf / "server.properties").read_text() == "node.id=1\n"

    again = run_task("managed_files", args)
    assert not again.failed, again.msg
    assert not again.changed
    assert again.result["changed_directories"] == []


def test_an_existing_directory_gets_its_attributes_corrected(tmp_path: Path) -> None:
    directory = tmp_path / "tls"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    result = run_task("managed_files", {"directories": [{"path": str(directory), "mode": "0750"}]})
    assert not result.failed, result.msg
    assert result.result["changed_directories"] == [str(directory)]
    assert _mode(directory) == 0o750
    [diff] = result.result["diff"]
    assert (diff["before"]["mode"], diff["after"]["mode"]) == ("0755", "0750")


@pytest.mark.parametrize(
    ("bad_directory", "message"),
    [
        ({"path": "relative/dir"}, "must be an absolute path"),
        ({"path": "FILE"}, "exists and is not a directory"),
        ({"mode": "u=rwx"}, "is not an octal mode"),
        ({"owner": "no-such-user-datapipe"}, "no such user"),
    ],
    ids=["relative", "a-file-in-the-way", "symbolic-mode", "unknown-owner"],
)
def test_a_wrong_directory_stops_the_task_before_anything_is_made(
    tmp_path: Path, bad_directory: dict, message: str
) -> None:
    in_the_way = tmp_path / "in-the-way"
    in_the_way.write_text("a file\n")
    first = tmp_path / "first"
    bad = {"path": str(tmp_path / "second"), **bad_directory}
    if bad["path"] == "FILE":
        bad["path"] = str(in_the_way)
    result = run_task(
        "managed_files",
        {
            "directories": [{"path": str(first)}, bad],
            "files": [_spec(tmp_path / "a.conf", "x\n")],
        },
    )
    assert result.failed
    assert message in result.msg
    assert not first.exists() and not (tmp_path / "a.conf").exists()
    assert in_the_way.read_text() == "a file\n"


def test_a_link_to_a_directory_is_followed(tmp_path: Path) -> None:
    disk = tmp_path / "other-disk"
    disk.mkdir()
    disk.chmod(0o755)
    link = tmp_path / "data"
    link.symlink_to(disk)
    result = run_task("managed_files", {"directories": [{"path": str(link), "mode": "0750"}]})
    assert not result.failed, result.msg
    assert link.is_symlink()
    assert _mode(disk) == 0o750
