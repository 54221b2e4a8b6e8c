"""The executor of Go's text/template (`exec.go`): walks a tree over Python data, with Go's errors.

Owns: `execute()`; variable scoping; field, key and method lookup; function calls with Go's argument
checks (`GoFunc`); the missingkey option; `and`/`or` short-circuit; range/break/continue; template
calls. Values follow `_types` (None is Go's nil or "no value").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from erpmon.model import go_quote
from erpmon.templates import _nodes as n
from erpmon.templates._errors import TemplateError
from erpmon.templates._fmt import format_v
from erpmon.templates._tset import (
    MAX_EXEC_DEPTH,
    MISSING,
    Break,
    Continue,
    TemplateSet,
    iface_elems,
    method_of,
)
from erpmon.templates._types import ANY, GoFunc, GoType, go_fields, is_true, kind, type_name


class State:
    def __init__(
        self, tset: TemplateSet, tree: n.Tree, out: list[str], variables: list[list[Any]], depth: int
    ) -> None:
        self.tset = tset
        self.tree = tree
        self.out = out
        self.vars = variables
        self.depth = depth
        self.node: n.Node | None = None

    # -- errors and variables ---------------------------------------------------------------------
    def at(self, node: n.Node) -> None:
        self.node = node

    def errorf(self, msg: str) -> TemplateError:
        name = self.tree.name
        if self.node is None:
            return TemplateError(f"template: {name}: {msg}")
        location, context = n.error_context(self.tree, self.node)
        return TemplateError(f"template: {location}: executing {go_quote(name)} at <{context}>: {msg}")

    def push(self, name: str, value: Any) -> None:
        self.vars.append([name, value])

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        raise self.errorf(f"undefined variable: {name}")

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        raise self.errorf(f"undefined variable: {name}")

    # -- walking ------------------------------------------------------------------------------
    def walk(self, dot: Any, node: n.Node) -> None:
        self.at(node)
        if isinstance(node, n.ActionNode):
            val = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, val)
        elif isinstance(node, n.TextNode):
            self.out.append(node.text)
        elif isinstance(node, n.ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, n.IfNode | n.WithNode):
            self.walk_if_or_with(dot, node)
        elif isinstance(node, n.RangeNode):
            self.walk_range(dot, node)
        elif isinstance(node, n.TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, n.BreakNode):
            raise Break
        elif isinstance(node, n.ContinueNode):
            raise Continue
        elif not isinstance(node, n.CommentNode):
            raise self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, dot: Any, node: n.BranchNode) -> None:
        mark = len(self.vars)
        try:
            val = self.eval_pipeline(dot, node.pipe)
            truth, ok = is_true(val)
            if not ok:
                raise self.errorf(f"if/with can't use {format_v(val)}")
            if truth:
                self.walk(val if isinstance(node, n.WithNode) else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, node: n.RangeNode) -> None:
        self.at(node)
        mark = len(self.vars)
        try:
            val = self.eval_pipeline(dot, node.pipe)
            k = kind(val)
            if k == "slice":
                items: list[tuple[Any, Any]] = list(enumerate(val))
            elif k == "map":
                items = [(key, val[key]) for key in sorted(val)]
            elif k == "invalid":
                items = []
            else:
                raise self.errorf(f"range can't iterate over {format_v(val)}")
            inner = len(self.vars)
            try:
                for index, elem in items:
                    if node.pipe.decl:
                        self.vars[-1][1] = elem
                    if len(node.pipe.decl) > 1:
                        self.vars[-2][1] = index
                    try:
                        self.walk(elem, node.list)
                    except Continue:
                        pass
                    finally:
                        del self.vars[inner:]
            except Break:
                return
            if not items and node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_template(self, dot: Any, node: n.TemplateNode) -> None:
        self.at(node)
        tree = self.tset.trees.get(node.name)
        if tree is None or tree.root is None:
            raise self.errorf(f"template {go_quote(node.name)} not defined")
        if self.depth >= MAX_EXEC_DEPTH:
            raise self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        dot = self.eval_pipeline(dot, node.pipe)
        State(self.tset, tree, self.out, [["$", dot]], self.depth + 1).walk(dot, tree.root)

    # -- pipelines and commands ---------------------------------------------------------------
    def eval_pipeline(self, dot: Any, pipe: n.PipeNode | None) -> Any:
        if pipe is None:
            return None
        self.at(pipe)
        value = MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.push(var.ident[0], value)
        return value

    def not_a_function(self, args: list[n.Node], final: Any) -> None:
        if len(args) > 1 or final is not MISSING:
            raise self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: n.CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, n.FieldNode):
            self.at(first)
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final)
        if isinstance(first, n.ChainNode):
            return self.eval_chain(dot, first, cmd.args, final)
        if isinstance(first, n.IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, n.PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, n.VariableNode):
            return self.eval_variable(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, n.BoolNode):
            return first.true
        if isinstance(first, n.DotNode):
            return dot
        if isinstance(first, n.NilNode):
            raise self.errorf("nil is not a command")
        if isinstance(first, n.NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, n.StringNode):
            return first.text
        raise self.errorf(f"can't evaluate command {go_quote(str(first))}")

    def ideal_constant(self, const: n.NumberNode) -> Any:
        self.at(const)
        text = const.text
        is_hex = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
        if const.is_float and not is_hex and text[0] != "'" and any(c in text for c in ".eEpP"):
            return const.float64
        if const.is_int:
            return const.int64
        if const.is_uint:
            raise self.errorf(f"{text} overflows int")
        return None

    def eval_chain(self, dot: Any, chain: n.ChainNode, args: list[n.Node] | None, final: Any) -> Any:
        self.at(chain)
        if isinstance(chain.node, n.NilNode):
            raise self.errorf(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, ANY, chain.node)
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable(self, dot: Any, var: n.VariableNode, args: list[n.Node] | None, final: Any) -> Any:
        self.at(var)
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args or [var], final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(
        self, dot: Any, receiver: Any, node: n.Node, ident: list[str], args: list[n.Node] | None, final: Any
    ) -> Any:
        iface = False
        for name in ident[:-1]:
            nxt = self.eval_field(dot, name, node, None, MISSING, receiver, iface)
            iface = iface_elems(receiver) and (
                nxt is not None or name in receiver or self.tset.missingkey == "zero"
            )
            receiver = nxt
        return self.eval_field(dot, ident[-1], node, args, final, receiver, iface)

    def eval_function(
        self, dot: Any, node: n.IdentifierNode, cmd: n.Node, args: list[n.Node] | None, final: Any
    ) -> Any:
        self.at(node)
        fn, is_builtin = self.tset.find_function(node.ident)
        if fn is None:
            raise self.errorf(f"{go_quote(node.ident)} is not a defined function")
        return self.eval_call(dot, fn, is_builtin, cmd, node.ident, args, final)

    def eval_field(
        self,
        dot: Any,
        name: str,
        node: n.Node,
        args: list[n.Node] | None,
        final: Any,
        receiver: Any,
        iface: bool = False,
    ) -> Any:
        """Field `name` of `receiver`; `iface` says the receiver is an interface {} value (an element of
        a map[string]interface {}), which changes Go's error texts."""
        if receiver is None and iface:
            raise self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        if receiver is None:
            if self.tset.missingkey == "error":
                raise self.errorf(f"nil data; no entry for key {go_quote(name)}")
            return None
        method = method_of(receiver, name)
        if method is not None:
            return self.eval_call(dot, method, False, node, name, args, final)
        has_args = (args is not None and len(args) > 1) or final is not MISSING
        if isinstance(receiver, Mapping):
            if has_args:
                raise self.errorf(f"{name} is not a method but has arguments")
            if name in receiver:
                return receiver[name]
            mode = self.tset.missingkey
            if mode == "zero":
                return getattr(receiver, "zero", None)
            if mode == "error":
                raise self.errorf(f"map has no entry for key {go_quote(name)}")
            return None
        fields = go_fields(receiver)
        if fields is not None and kind(receiver) == "struct" and name in fields:
            if not name[:1].isupper():
                raise self.errorf(f"{name} is an unexported field of struct type {type_name(receiver)}")
            if has_args:
                raise self.errorf(f"{name} has arguments but cannot be invoked as function")
            return getattr(receiver, name)
        typ = "interface {}" if iface else type_name(receiver)
        raise self.errorf(f"can't evaluate field {name} in type {typ}")

    # -- calls --------------------------------------------------------------------------------
    def eval_call(
        self,
        dot: Any,
        fn: GoFunc,
        is_builtin: bool,
        node: n.Node,
        name: str,
        args: list[n.Node] | None,
        final: Any,
    ) -> Any:
        arg_nodes = args[1:] if args else []
        num_in = len(arg_nodes) + (final is not MISSING)
        num_fixed = len(arg_nodes)
        if fn.variadic is not None:
            num_fixed = len(fn.params)
            if num_in < num_fixed:
                raise self.errorf(
                    f"wrong number of args for {name}: want at least {num_fixed} got {len(arg_nodes)}"
                )
        elif num_in != len(fn.params):
            raise self.errorf(f"wrong number of args for {name}: want {len(fn.params)} got {num_in}")
        if is_builtin and name in ("and", "or"):
            value: Any = None
            for arg in arg_nodes:
                value = self.eval_arg(dot, ANY, arg)
                if is_true(value)[0] == (name == "or"):
                    return value
            if final is not MISSING:
                value = final
            return value
        argv: list[Any] = []
        for i, arg in enumerate(arg_nodes):
            typ = fn.params[i] if i < num_fixed else fn.variadic
            assert typ is not None
            argv.append(self.eval_arg(dot, typ, arg))
        if final is not MISSING:
            if fn.variadic is None:
                typ = fn.params[-1]
            else:
                typ = fn.params[num_in - 1] if num_in - 1 < num_fixed else fn.variadic
            argv.append(self.validate_type(final, typ))
        try:
            return fn(*argv)
        except TemplateError:
            raise
        except RecursionError:
            raise self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})") from None
        except Exception as err:  # Go's safeCall turns every error and panic into "error calling"
            self.at(node)
            raise self.errorf(f"error calling {name}: {err}") from err

    def validate_type(self, value: Any, typ: GoType) -> Any:
        if value is None:
            if typ.nilable:
                return None
            raise self.errorf(f"invalid value; expected {typ.name}")
        if not typ.accepts(value):
            raise self.errorf(f"wrong type for value; expected {typ.name}; got {type_name(value)}")
        return value

    def eval_arg(self, dot: Any, typ: GoType, node: n.Node) -> Any:
        self.at(node)
        if isinstance(node, n.DotNode):
            return self.validate_type(dot, typ)
        if isinstance(node, n.NilNode):
            if typ.nilable:
                return None
            raise self.errorf(f"cannot assign nil to {typ.name}")
        if isinstance(node, n.FieldNode):
            return self.validate_type(self.eval_field_chain(dot, dot, node, node.ident, [node], MISSING), typ)
        if isinstance(node, n.VariableNode):
            return self.validate_type(self.eval_variable(dot, node, None, MISSING), typ)
        if isinstance(node, n.PipeNode):
            return self.validate_type(self.eval_pipeline(dot, node), typ)
        if isinstance(node, n.IdentifierNode):
            return self.validate_type(self.eval_function(dot, node, node, None, MISSING), typ)
        if isinstance(node, n.ChainNode):
            return self.validate_type(self.eval_chain(dot, node, None, MISSING), typ)
        k = typ.kind
        if k == "bool":
            if isinstance(node, n.BoolNode):
                return node.true
            raise self.errorf(f"expected bool; found {node}")
        if k == "float":
            if isinstance(node, n.NumberNode) and node.is_float:
                return node.float64
            raise self.errorf(f"expected float; found {node}")
        if k == "int":
            if isinstance(node, n.NumberNode) and node.is_int:
                return node.int64
            raise self.errorf(f"expected integer; found {node}")
        if k == "string":
            if isinstance(node, n.StringNode):
                return node.text
            raise self.errorf(f"expected string; found {node}")
        if k in ("any", "value"):
            if isinstance(node, n.BoolNode):
                return node.true
            if isinstance(node, n.NumberNode):
                return self.ideal_constant(node)
            if isinstance(node, n.StringNode):
                return node.text
        raise self.errorf(f"can't handle {node} for arg of type {typ.name}")

    def print_value(self, node: n.Node, value: Any) -> None:
        self.at(node)
        if value is None:
            self.out.append("<no value>")
            return
        if kind(value) == "func":
            raise self.errorf(f"can't print {node} of type {type_name(value)}")
        self.out.append(format_v(value, deref=True))


def execute(tset: TemplateSet, tree: n.Tree, data: Any) -> str:
    """Run `tree` over `data`; raises TemplateError with Go's message."""
    out: list[str] = []
    state = State(tset, tree, out, [["$", data]], 0)
    if tree.root is None:
        raise state.errorf(f"{go_quote(tree.name)} is an incomplete or empty template")
    try:
        state.walk(data, tree.root)
    except RecursionError:
        raise state.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})") from None
    return "".join(out)


Builtin = Callable[..., Any]
