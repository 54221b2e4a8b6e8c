"""The parser of Go's text/template (`parse/parse.go`): items to trees, with Go's error wording.

Owns: `parse()` (text -> {name: Tree} for the template and every `define`/`block` in it), Go's
checks (undefined functions and variables, `break` outside `range`, pipeline shapes) and
number constants (`parse/node.go` newNumber).
"""

from __future__ import annotations

from collections.abc import Callable

from erpmon.model import go_quote
from erpmon.templates import _nodes as n
from erpmon.templates._errors import TemplateError
from erpmon.templates._items import Item, ItemType
from erpmon.templates._lexer import lex
from erpmon.templates._literals import new_number, unquote

_OPERAND_START = frozenset(
    {
        ItemType.BOOL,
        ItemType.CHAR_CONSTANT,
        ItemType.COMPLEX,
        ItemType.DOT,
        ItemType.FIELD,
        ItemType.IDENTIFIER,
        ItemType.NUMBER,
        ItemType.NIL,
        ItemType.RAW_STRING,
        ItemType.STRING,
        ItemType.VARIABLE,
        ItemType.LEFT_PAREN,
    }
)


class _ParseError(Exception):
    pass


class Parser:
    """One top-level parse; definitions found in it become trees of the same set."""

    def __init__(
        self, name: str, text: str, has_func: Callable[[str], bool], tree_set: dict[str, n.Tree]
    ) -> None:
        self.items = lex(text, not has_func("break"), not has_func("continue"))
        self.next_index = 0
        self.token: list[Item] = [self.items[0]] * 3
        self.peek_count = 0
        self.tree = n.Tree(name, name, text)
        self.has_func = has_func
        self.tree_set = tree_set
        self.vars: list[str] = ["$"]
        self.action_line = 0
        self.range_depth = 0

    # -- tokens -------------------------------------------------------------------------------
    def _lex_next(self) -> Item:
        item = self.items[min(self.next_index, len(self.items) - 1)]
        self.next_index += 1
        return item

    def next(self) -> Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.token[0] = self._lex_next()
        return self.token[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: Item) -> None:
        self.token[1] = t1
        self.peek_count = 2

    def backup3(self, t2: Item, t1: Item) -> None:
        self.token[1] = t1
        self.token[2] = t2
        self.peek_count = 3

    def peek(self) -> Item:
        if self.peek_count > 0:
            return self.token[self.peek_count - 1]
        self.peek_count = 1
        self.token[0] = self._lex_next()
        return self.token[0]

    def next_non_space(self) -> Item:
        while True:
            token = self.next()
            if token.typ != ItemType.SPACE:
                return token

    def peek_non_space(self) -> Item:
        token = self.next_non_space()
        self.backup()
        return token

    # -- errors -------------------------------------------------------------------------------
    def errorf(self, msg: str) -> _ParseError:
        return _ParseError(f"template: {self.tree.parse_name}:{self.token[0].line}: {msg}")

    def expect(self, expected: ItemType, context: str) -> Item:
        token = self.next_non_space()
        if token.typ != expected:
            raise self.unexpected(token, context)
        return token

    def unexpected(self, token: Item, context: str) -> _ParseError:
        if token.typ == ItemType.ERROR:
            extra = ""
            if self.action_line not in (0, token.line):
                extra = f" in action started at {self.tree.parse_name}:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            return self.errorf(f"{token}{extra}")
        return self.errorf(f"unexpected {token} in {context}")

    # -- structure ----------------------------------------------------------------------------
    def parse(self) -> None:
        try:
            self._parse()
        except ValueError as err:
            raise TemplateError(str(self.errorf(str(err)))) from None
        except _ParseError as err:
            raise TemplateError(str(err)) from None
        self.add(self.tree)

    def add(self, tree: n.Tree) -> None:
        known = self.tree_set.get(tree.name)
        if known is None or n.is_empty_tree(known.root):
            self.tree_set[tree.name] = tree
            return
        if not n.is_empty_tree(tree.root):
            raise TemplateError(
                str(self.errorf(f"template: multiple definition of template {go_quote(tree.name)}"))
            )

    def _parse(self) -> None:
        root = n.ListNode(self.peek().pos)
        self.tree.root = root
        while self.peek().typ != ItemType.EOF:
            if self.peek().typ == ItemType.LEFT_DELIM:
                delim = self.next()
                if self.next_non_space().typ == ItemType.DEFINE:
                    self.parse_definition()
                    continue
                self.backup2(delim)
            node = self.text_or_action()
            if isinstance(node, n.EndNode | n.ElseNode):
                raise self.errorf(f"unexpected {node}")
            root.nodes.append(node)

    def _sub_tree(self, name: str) -> tuple[n.Tree, list[str]]:
        saved = self.vars
        self.vars = ["$"]
        return n.Tree(name, self.tree.parse_name, self.tree.text), saved

    def parse_definition(self) -> None:
        context = "define clause"
        token = self.next_non_space()
        if token.typ not in (ItemType.STRING, ItemType.RAW_STRING):
            raise self.unexpected(token, context)
        tree, saved = self._sub_tree(unquote(token.val))
        self.expect(ItemType.RIGHT_DELIM, context)
        tree.root, end = self.item_list()
        if not isinstance(end, n.EndNode):
            raise self.errorf(f"unexpected {end} in {context}")
        self.vars = saved
        self.add(tree)

    def item_list(self) -> tuple[n.ListNode, n.Node]:
        lst = n.ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != ItemType.EOF:
            node = self.text_or_action()
            if isinstance(node, n.EndNode | n.ElseNode):
                return lst, node
            lst.nodes.append(node)
        raise self.errorf("unexpected EOF")

    def text_or_action(self) -> n.Node:
        token = self.next_non_space()
        if token.typ == ItemType.TEXT:
            return n.TextNode(token.pos, token.val)
        if token.typ == ItemType.LEFT_DELIM:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        if token.typ == ItemType.COMMENT:
            return n.CommentNode(token.pos, token.val)
        raise self.unexpected(token, "input")

    def action(self) -> n.Node:
        token = self.next_non_space()
        typ = token.typ
        if typ == ItemType.BLOCK:
            return self.block_control()
        if typ in (ItemType.BREAK, ItemType.CONTINUE):
            word = "break" if typ == ItemType.BREAK else "continue"
            after = self.next_non_space()
            if after.typ != ItemType.RIGHT_DELIM:
                raise self.unexpected(after, "{{" + word + "}}")
            if self.range_depth == 0:
                raise self.errorf("{{" + word + "}} outside {{range}}")
            cls = n.BreakNode if typ == ItemType.BREAK else n.ContinueNode
            return cls(token.pos, token.line)
        if typ == ItemType.ELSE:
            return self.else_control()
        if typ == ItemType.END:
            return n.EndNode(self.expect(ItemType.RIGHT_DELIM, "end").pos)
        if typ == ItemType.IF:
            return n.IfNode(*self.parse_control(True, "if"))
        if typ == ItemType.RANGE:
            return n.RangeNode(*self.parse_control(False, "range"))
        if typ == ItemType.TEMPLATE:
            return self.template_control()
        if typ == ItemType.WITH:
            return n.WithNode(*self.parse_control(False, "with"))
        self.backup()
        token = self.peek()
        return n.ActionNode(token.pos, token.line, self.pipeline("command", ItemType.RIGHT_DELIM))

    def else_control(self) -> n.Node:
        peek = self.peek_non_space()
        if peek.typ == ItemType.IF:
            return n.ElseNode(peek.pos, peek.line)
        token = self.expect(ItemType.RIGHT_DELIM, "else")
        return n.ElseNode(token.pos, token.line)

    def parse_control(
        self, allow_else_if: bool, context: str
    ) -> tuple[int, int, n.PipeNode, n.ListNode, n.ListNode | None]:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list: n.ListNode | None = None
            if isinstance(nxt, n.ElseNode):
                if allow_else_if and self.peek().typ == ItemType.IF:
                    self.next()
                    else_list = n.ListNode(nxt.pos)
                    else_list.nodes.append(n.IfNode(*self.parse_control(True, "if")))
                else:
                    else_list, nxt = self.item_list()
                    if not isinstance(nxt, n.EndNode):
                        raise self.errorf(f"expected end; found {nxt}")
            return pipe.pos, pipe.line, pipe, lst, else_list
        finally:
            del self.vars[mark:]

    def block_control(self) -> n.Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
        tree, saved = self._sub_tree(name)
        tree.root, end = self.item_list()
        if not isinstance(end, n.EndNode):
            raise self.errorf(f"unexpected {end} in {context}")
        self.vars = saved
        self.add(tree)
        return n.TemplateNode(token.pos, token.line, name, pipe)

    def template_control(self) -> n.Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = None
        if self.next_non_space().typ != ItemType.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, ItemType.RIGHT_DELIM)
        return n.TemplateNode(token.pos, token.line, name, pipe)

    def template_name(self, token: Item, context: str) -> str:
        if token.typ in (ItemType.STRING, ItemType.RAW_STRING):
            return unquote(token.val)
        raise self.unexpected(token, context)

    # -- pipelines ----------------------------------------------------------------------------
    def pipeline(self, context: str, end: ItemType) -> n.PipeNode:
        token = self.peek_non_space()
        pipe = n.PipeNode(token.pos, token.line)
        self._declarations(pipe, context)
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                raise self.unexpected(token, context)

    def _declarations(self, pipe: n.PipeNode, context: str) -> None:
        while True:
            v = self.peek_non_space()
            if v.typ != ItemType.VARIABLE:
                return
            self.next()
            after = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (ItemType.ASSIGN, ItemType.DECLARE):
                pipe.is_assign = nxt.typ == ItemType.ASSIGN
                self.next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                return
            if nxt.typ == ItemType.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (
                        ItemType.VARIABLE,
                        ItemType.RIGHT_DELIM,
                        ItemType.RIGHT_PAREN,
                    ):
                        continue
                    raise self.errorf("range can only initialize variables")
                raise self.errorf(f"too many declarations in {context}")
            if after.typ == ItemType.SPACE:
                self.backup3(v, after)
            else:
                self.backup2(v)
            return

    def check_pipeline(self, pipe: n.PipeNode, context: str) -> None:
        if not pipe.cmds:
            raise self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], n.BoolNode | n.DotNode | n.NilNode | n.NumberNode | n.StringNode):
                raise self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> n.CommandNode:
        cmd = n.CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == ItemType.SPACE:
                continue
            if token.typ in (ItemType.RIGHT_DELIM, ItemType.RIGHT_PAREN):
                self.backup()
            elif token.typ != ItemType.PIPE:
                raise self.unexpected(token, "operand")
            break
        if not cmd.args:
            raise self.errorf("empty command")
        return cmd

    def operand(self) -> n.Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == ItemType.FIELD:
            chain = n.ChainNode(self.peek().pos, node)
            while self.peek().typ == ItemType.FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, n.FieldNode):
                return n.FieldNode(chain.pos, [*node.ident, *chain.fields])
            if isinstance(node, n.VariableNode):
                return n.VariableNode(chain.pos, [*node.ident, *chain.fields])
            if isinstance(node, n.BoolNode | n.StringNode | n.NumberNode | n.NilNode | n.DotNode):
                raise self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self) -> n.Node | None:
        token = self.next_non_space()
        typ = token.typ
        if typ == ItemType.IDENTIFIER:
            if not self.has_func(token.val):
                raise self.errorf(f"function {go_quote(token.val)} not defined")
            return n.IdentifierNode(token.pos, token.val)
        if typ == ItemType.DOT:
            return n.DotNode(token.pos)
        if typ == ItemType.NIL:
            return n.NilNode(token.pos)
        if typ == ItemType.VARIABLE:
            return self.use_var(token)
        if typ == ItemType.FIELD:
            return n.FieldNode(token.pos, token.val[1:].split("."))
        if typ == ItemType.BOOL:
            return n.BoolNode(token.pos, token.val == "true")
        if typ in (ItemType.CHAR_CONSTANT, ItemType.COMPLEX, ItemType.NUMBER):
            return new_number(token.pos, token.val, typ)
        if typ == ItemType.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", ItemType.RIGHT_PAREN)
        if typ in (ItemType.STRING, ItemType.RAW_STRING):
            return n.StringNode(token.pos, token.val, unquote(token.val))
        self.backup()
        return None

    def use_var(self, token: Item) -> n.Node:
        ident = token.val.split(".")
        if ident[0] not in self.vars:
            raise self.errorf(f"undefined variable {go_quote(ident[0])}")
        return n.VariableNode(token.pos, ident)


def parse(name: str, text: str, has_func: Callable[[str], bool], tree_set: dict[str, n.Tree]) -> None:
    """Parse `text` as template `name` into `tree_set`; raises TemplateError with Go's message."""
    Parser(name, text, has_func, tree_set).parse()
