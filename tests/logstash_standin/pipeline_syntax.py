"""A syntax checker for Logstash's pipeline configuration language.

Used by the test lab's stand-in `logstash -t` (no registry we can reach serves
Logstash) and runnable on its own:

    python3 pipeline_syntax.py FILE... [--known-variable NAME ...]

It follows the grammar of logstash-core's grammar.treetop: sections (input,
filter, output) holding plugins and if / else if / else branches; plugin
attributes `name => value` whose values are strings, numbers, barewords, arrays,
hashes or plugins; conditions with comparison, regexp, in / not in, and / or /
xor / nand, negation and field selectors; comments. `${VAR}` and
`${VAR:default}` references inside strings are checked for form and, when
known variables are given, for existence (as Logstash refuses to start on an
unresolved one). It checks syntax only: it does not know which plugins exist
or which options they take.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

SECTIONS = ("input", "filter", "output")
COMPARE_OPERATORS = ("==", "!=", "<=", ">=", "<", ">")
REGEXP_OPERATORS = ("=~", "!~")
BOOLEAN_OPERATORS = ("and", "or", "xor", "nand")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_BAREWORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]*)?")
_SELECTOR_ELEMENT = re.compile(r"\[[^\],]+\]")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_REFERENCE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class ConfigSyntaxError(ValueError):
    """A configuration Logstash would refuse, with the line and column."""


@dataclass
class Pipeline:
    """What a valid configuration holds: plugins per section and the variables referenced."""

    plugins: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    references: set[str] = field(default_factory=set)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.result = Pipeline()
        self.section = ""

    # -- positions and errors ----------------------------------------------------
    def where(self, pos: int | None = None) -> str:
        pos = self.pos if pos is None else pos
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return f"line {line}, column {column}"

    def fail(self, expected: str, pos: int | None = None):
        pos = self.pos if pos is None else pos
        found = self.text[pos : pos + 20].split("\n")[0]
        found = f"'{found}'" if found else "the end of the file"
        raise ConfigSyntaxError(f"expected {expected} at {self.where(pos)}, found {found}")

    # -- lexical helpers -----------------------------------------------------------
    def skip(self) -> None:
        """Whitespace and comments (the grammar's `_`)."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end == -1 else end + 1
            else:
                return

    def peek(self, literal: str) -> bool:
        return self.text.startswith(literal, self.pos)

    def peek_word(self, word: str) -> bool:
        """``word`` as a whole word (not the start of a longer name)."""
        end = self.pos + len(word)
        return self.peek(word) and not (end < len(self.text) and _NAME.match(self.text[end]))

    def expect(self, literal: str, what: str | None = None) -> None:
        if not self.peek(literal):
            self.fail(what or f"'{literal}'")
        self.pos += len(literal)

    def match(self, pattern: re.Pattern) -> str | None:
        found = pattern.match(self.text, self.pos)
        if found is None:
            return None
        self.pos = found.end()
        return found.group(0)

    # -- grammar -------------------------------------------------------------------
    def config(self) -> Pipeline:
        self.skip()
        if self.pos == len(self.text):
            self.fail("a section (input, filter or output)")
        while self.pos < len(self.text):
            self.plugin_section()
            self.skip()
        return self.result

    def plugin_section(self) -> None:
        for section in SECTIONS:
            if self.peek_word(section):
                self.pos += len(section)
                self.section = section
                break
        else:
            self.fail("a section (input, filter or output)")
        self.skip()
        self.expect("{", f"'{{' after '{self.section}'")
        self.block_body()

    def block_body(self) -> None:
        """Plugins and branches up to the closing brace."""
        self.skip()
        while not self.peek("}"):
            if self.pos >= len(self.text):
                self.fail("'}'")
            self.branch_or_plugin()
            self.skip()
        self.pos += 1

    def branch_or_plugin(self) -> None:
        if self.peek_word("if"):
            self.branch()
        else:
            self.plugin(record=True)

    def branch(self) -> None:
        self.pos += 2
        self.skip()
        self.condition()
        self.skip()
        self.expect("{", "'{' after the condition")
        self.block_body()
        while True:
            saved = self.pos
            self.skip()
            if not self.peek_word("else"):
                self.pos = saved
                return
            self.pos += 4
            self.skip()
            if self.peek_word("if"):
                self.pos += 2
                self.skip()
                self.condition()
                self.skip()
                self.expect("{", "'{' after the condition")
                self.block_body()
            else:
                self.expect("{", "'{' or 'if' after 'else'")
                self.block_body()
                return

    def name(self) -> str:
        if self.peek('"') or self.peek("'"):
            return self.string()
        found = self.match(_NAME)
        if found is None:
            self.fail("a name")
        return found

    def plugin(self, record: bool = False) -> None:
        start = self.pos
        if not (self.peek('"') or self.peek("'") or _NAME.match(self.text, self.pos)):
            self.fail("a plugin name, 'if' or '}'")
        plugin_name = self.name()
        self.skip()
        if not self.peek("{"):
            self.fail(f"'{{' after plugin name '{plugin_name}'")
        self.pos += 1
        if record:
            self.result.plugins[self.section].append(plugin_name)
        self.skip()
        seen_attribute = False
        while not self.peek("}"):
            if self.pos >= len(self.text):
                self.fail(f"'}}' closing plugin '{plugin_name}' opened at {self.where(start)}")
            if seen_attribute and self.text[self.pos - 1] not in " \t\r\n":
                self.fail("whitespace between attributes")
            self.attribute()
            seen_attribute = True
            self.skip()
        self.pos += 1

    def attribute(self) -> None:
        if not (self.peek('"') or self.peek("'") or _NAME.match(self.text, self.pos)):
            self.fail("an attribute name or '}'")
        self.name()
        self.skip()
        self.expect("=>", "'=>' after the attribute name")
        self.skip()
        self.value()

    def value(self) -> None:
        if self.peek('"') or self.peek("'"):
            self.string()
        elif self.peek("["):
            self.array()
        elif self.peek("{"):
            self.hash()
        elif _NUMBER.match(self.text, self.pos) and not _BAREWORD.match(self.text, self.pos):
            self.match(_NUMBER)
        elif _BAREWORD.match(self.text, self.pos):
            saved = self.pos
            self.match(_BAREWORD)
            self.skip()
            if self.peek("{"):  # a plugin as a value (codec => json { ... })
                self.pos = saved
                self.plugin()
        elif self.peek("$"):
            self.fail("a quoted string around the ${...} reference")
        else:
            self.fail("a value (string, number, bareword, array or hash)")

    def string(self) -> str:
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        chars = []
        while True:
            if self.pos >= len(self.text):
                self.fail(f"a closing {quote} for the string opened at {self.where(start)}", start)
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                chars.append(self.text[self.pos : self.pos + 2])
                self.pos += 2
                continue
            self.pos += 1
            if char == quote:
                break
            chars.append(char)
        content = "".join(chars)
        self.references(content, start)
        return content

    def references(self, content: str, start: int) -> None:
        opened = content.count("${")
        found = _REFERENCE.findall(content)
        if len(found) != opened:
            raise ConfigSyntaxError(
                f"unterminated '${{' reference in the string at {self.where(start)}"
            )
        for reference in found:
            variable = reference.split(":", 1)[0]
            if not _REFERENCE_NAME.match(variable):
                raise ConfigSyntaxError(
                    f"'${{{reference}}}' at {self.where(start)} is not a valid reference:"
                    " use ${NAME} or ${NAME:default}"
                )
            if ":" not in reference:
                self.result.references.add(variable)

    def array(self) -> None:
        self.expect("[")
        self.skip()
        if self.peek("]"):
            self.pos += 1
            return
        while True:
            self.value()
            self.skip()
            if self.peek("]"):
                self.pos += 1
                return
            self.expect(",", "',' or ']' in the array")
            self.skip()

    def hash(self) -> None:
        self.expect("{")
        self.skip()
        while not self.peek("}"):
            if self.pos >= len(self.text):
                self.fail("'}' closing the hash")
            if self.peek('"') or self.peek("'"):
                self.string()
            elif self.match(_NUMBER) is None and self.match(_BAREWORD) is None:
                self.fail("a hash key")
            self.skip()
            self.expect("=>", "'=>' after the hash key")
            self.skip()
            self.value()
            self.skip()
        self.pos += 1

    # -- conditions ----------------------------------------------------------------
    def condition(self) -> None:
        self.expression()
        while True:
            saved = self.pos
            self.skip()
            operator = next((op for op in BOOLEAN_OPERATORS if self.peek_word(op)), None)
            if operator is None:
                self.pos = saved
                return
            self.pos += len(operator)
            self.skip()
            self.expression()

    def expression(self) -> None:
        if self.peek("("):
            self.pos += 1
            self.skip()
            self.condition()
            self.skip()
            self.expect(")", "')' closing the condition")
            return
        if self.peek("!") and not self.peek("!="):
            self.pos += 1
            self.skip()
            if self.peek("("):
                self.expression()
            elif self.peek("["):
                self.selector()
            else:
                self.fail("'(' or a field reference after '!'")
            return
        self.rvalue()
        self.comparison_tail()

    def comparison_tail(self) -> None:
        """What may follow a value in a condition: =~, a comparison, in, not in, or nothing."""
        saved = self.pos
        self.skip()
        for operator in REGEXP_OPERATORS:
            if self.peek(operator):
                self.pos += len(operator)
                self.skip()
                if self.peek("/"):
                    self.regexp()
                elif self.peek('"') or self.peek("'"):
                    self.string()
                else:
                    self.fail("a /regexp/ or string after " + operator)
                return
        for operator in COMPARE_OPERATORS:
            if self.peek(operator):
                self.pos += len(operator)
                self.skip()
                self.rvalue()
                return
        if self.peek_word("not"):
            self.pos += 3
            self.skip()
            if not self.peek_word("in"):
                self.fail("'in' after 'not'")
        if self.peek_word("in"):
            self.pos += 2
            self.skip()
            self.rvalue()
            return
        self.pos = saved

    def rvalue(self) -> None:
        if self.peek('"') or self.peek("'"):
            self.string()
        elif self.peek("["):
            if _SELECTOR_ELEMENT.match(self.text, self.pos):
                self.selector()
            else:
                self.array()
        elif self.peek("/"):
            self.regexp()
        elif self.match(_NUMBER) is not None:
            return
        elif _BAREWORD.match(self.text, self.pos):  # method call: name(args)
            self.match(_BAREWORD)
            self.skip()
            self.expect("(", "'(' of a method call")
            self.skip()
            while not self.peek(")"):
                self.rvalue()
                self.skip()
                if self.peek(","):
                    self.pos += 1
                    self.skip()
            self.pos += 1
        else:
            self.fail("a value to compare (string, number, [field], /regexp/ or array)")

    def selector(self) -> None:
        if self.match(_SELECTOR_ELEMENT) is None:
            self.fail("a field reference such as [field][subfield]")
        while self.match(_SELECTOR_ELEMENT) is not None:
            pass

    def regexp(self) -> None:
        start = self.pos
        self.pos += 1
        while True:
            if self.pos >= len(self.text):
                self.fail("the closing '/' of the regexp", start)
            char = self.text[self.pos]
            self.pos += 2 if char == "\\" else 1
            if char == "/":
                return


def parse(text: str) -> Pipeline:
    """The pipeline described by ``text``; ConfigSyntaxError when Logstash would refuse it."""
    return _Parser(text).config()


def check_files(paths: list[str], known_variables: set[str] | None = None) -> list[str]:
    """Problems found in the pipeline made of ``paths`` (Logstash concatenates them)."""
    text = ""
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text += handle.read() + "\n"
    try:
        pipeline = parse(text)
    except ConfigSyntaxError as error:
        return [f"{', '.join(paths)}: {error}"]
    if known_variables is not None:
        missing = sorted(pipeline.references - known_variables)
        if missing:
            return [
                f"{', '.join(paths)}: cannot resolve {', '.join('${' + m + '}' for m in missing)}:"
                " not in the keystore or the environment"
            ]
    return []


def main(argv: list[str]) -> int:
    paths, known = [], None
    args = iter(argv)
    for arg in args:
        if arg == "--known-variable":
            known = (known or set()) | {next(args)}
        else:
            paths.append(arg)
    problems = check_files(paths, known)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
