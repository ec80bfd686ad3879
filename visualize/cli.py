"""``python -m visualize TARGET``: draw a model's graph for one batch, without training.

The convention for a training script (``examples/train_mnist.py`` follows it): at
module level it defines

    def build_model():      -> an nn.Module
    def example_batch():    -> (inputs, targets), or just inputs

and keeps its training under ``if __name__ == "__main__":``, so importing it
trains nothing. Optionally ``loss_fn(outputs, targets)`` replaces the default
``minigrad.nn.functional.cross_entropy``.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys

import numpy as np

DESCRIPTION = """\
Draw the computation graph of a model for one batch, without training it.

TARGET is one of
  path/to/script.py        the script defines build_model() -> nn.Module and
                           example_batch() -> (inputs, targets) (or just inputs) at
                           module level, with its training under
                           `if __name__ == "__main__":` (so nothing trains here).
                           The CLI builds the model (seed 0), runs one forward on
                           the batch and, when targets are given, the loss
                           (the script's loss_fn(outputs, targets) if it defines
                           one, else minigrad.nn.functional.cross_entropy).
  path/to/script.py:NAME   NAME() returns the tensor(s) to draw (a Tensor, a list
  package.module:NAME      or a dict name -> Tensor), or an nn.Module (then the
                           script's example_batch() feeds it as above).
"""

EPILOG = """\
examples:
  python -m visualize examples/train_mnist.py --out docs/mnist_graph.svg
  python -m visualize examples/train_mnist.py --collapse all --out lenet_small.svg
  python -m visualize examples/train_mnist.py --show-grad --grad-table --out grads.svg
  python -m visualize examples/train_mnist.py --print-dot > graph.dot   (no Graphviz needed)
  python -m visualize examples/train_mnist.py --html backprop.html      (step through backward)

Rendering needs the Graphviz `dot` program (Debian/Ubuntu: apt-get install graphviz;
macOS: brew install graphviz); --print-dot and --format dot do not.
"""


def build_parser():
    p = argparse.ArgumentParser(prog="python -m visualize", description=DESCRIPTION,
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", metavar="TARGET",
                   help="a script (path.py), or path.py:NAME / package.module:NAME (see above)")
    p.add_argument("-o", "--out", metavar="PATH",
                   help="file to write (default: <script name>_graph.<format> in the current "
                        "directory)")
    p.add_argument("-f", "--format", choices=("svg", "png", "pdf", "dot"),
                   help="output format (default: from the --out suffix, else svg; 'dot' writes "
                        "the DOT text)")
    p.add_argument("--show-grad", action="store_true",
                   help="run one backward pass (no optimizer step) and colour every tensor by "
                        "its gradient norm; NaN/inf and all-zero gradients are flagged")
    p.add_argument("--grad-table", action="store_true",
                   help="with --show-grad, also print each layer's gradient norms as a table")
    p.add_argument("--show-saved", action="store_true",
                   help="draw what each op saved for backward (shapes, dtypes, bytes)")
    p.add_argument("--show-backward", action="store_true",
                   help="write each op's gradient rules, as its docstring states them (e.g. "
                        "dx = MaxUnpool2d(argmax)(dy): dy routed to the recorded argmax)")
    p.add_argument("--collapse", action="append", metavar="SPEC",
                   help="fold modules into single nodes; SPEC is a module path or glob "
                        "('features.*'), a class name ('Conv2d'), 'all' (every module without "
                        "submodules), or an integer depth (1 = the model's children); repeatable")
    p.add_argument("--max-nodes", type=int, metavar="N",
                   help="draw at most N ops and tensors; the rest becomes one '... N more' node")
    p.add_argument("--no-loss", action="store_true",
                   help="draw the model's output only, even when example_batch() gives targets")
    p.add_argument("--eval", action="store_true",
                   help="put the model in eval mode first (default: training mode, as in a "
                        "training step, so dropout and batch statistics appear)")
    p.add_argument("--rankdir", choices=("TB", "LR"), default="TB",
                   help="layout direction: top to bottom (default) or left to right")
    p.add_argument("--title", help="title drawn above the graph (default: model, op and "
                                   "parameter counts)")
    p.add_argument("--no-legend", action="store_true", help="leave out the legend")
    p.add_argument("--html", metavar="OUT.html",
                   help="run one backward and write the backprop explorer: one self-contained "
                        "page that steps through it in the engine's order (Prev/Next, arrow "
                        "keys), showing each op's dy and the gradient sent to each input")
    p.add_argument("--print-dot", action="store_true",
                   help="print the DOT text to stdout instead of rendering (needs no Graphviz)")
    return p


def _collapse_spec(values):
    if not values:
        return None
    specs = []
    for v in values:
        if v == "all":
            specs.append(True)
        elif v.lstrip("-").isdigit():
            specs.append(int(v))
        else:
            specs.append(v)
    return specs[0] if len(specs) == 1 else specs


def load_target(target):
    """(module, name or None) for ``script.py``, ``script.py:NAME`` or ``pkg.mod:NAME``."""
    path, _, name = target.partition(":") if not os.path.exists(target) else (target, "", "")
    name = name or None
    if path.endswith(".py") or os.path.exists(path):
        if not os.path.exists(path):
            raise SystemExit(f"visualize: no such script: {path}")
        directory = os.path.dirname(os.path.abspath(path))
        stem = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(f"_visualize_target_{stem}", path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, directory)      # the script may import its neighbours
        try:
            spec.loader.exec_module(module)
        finally:
            if sys.path and sys.path[0] == directory:
                sys.path.pop(0)
        return module, name, stem
    module = importlib.import_module(path)
    return module, name, path.rpartition(".")[2]


def _as_tensor(x):
    import minigrad as mg
    return x if isinstance(x, mg.Tensor) else mg.Tensor(np.asarray(x))


def outputs_for(module, name, no_loss=False, eval_mode=False):
    """Build the model and run one forward: (outputs to draw, params)."""
    import minigrad as mg
    from minigrad.nn import Module

    mg.manual_seed(0)
    model = None
    if name is not None:
        fn = getattr(module, name, None)
        if not callable(fn):
            raise SystemExit(f"visualize: {module.__name__} has no function {name!r}")
        try:
            made = fn()
        except TypeError as exc:   # e.g. a class that needs arguments: say what NAME must be
            raise SystemExit(f"visualize: calling {module.__name__}:{name}() with no arguments "
                             f"failed ({exc}); NAME must be a function (or class) that takes "
                             "no arguments and returns an nn.Module or the tensors to draw")
        if isinstance(made, Module):
            model = made
        else:
            return made, None
    else:
        build = getattr(module, "build_model", None)
        if not callable(build):
            raise SystemExit(
                f"visualize: {getattr(module, '__file__', module.__name__)} defines no "
                "build_model(); a script drawn by `python -m visualize` defines "
                "build_model() -> nn.Module and example_batch() -> (inputs, targets) at module "
                "level, with training under `if __name__ == \"__main__\":` (see --help)")
        model = build()
        if not isinstance(model, Module):
            raise SystemExit(f"visualize: build_model() returned a {type(model).__name__}, "
                             "expected an nn.Module")
    batch_fn = getattr(module, "example_batch", None)
    if not callable(batch_fn):
        raise SystemExit("visualize: the script defines no example_batch() -> (inputs, "
                         "targets); it is needed to run the model once (see --help)")
    batch = batch_fn()
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        inputs, targets = batch
    else:
        inputs, targets = batch, None
    if eval_mode:
        model.eval()
    out = model(_as_tensor(inputs))
    if targets is None or no_loss:
        return {"output": out}, model
    loss_fn = getattr(module, "loss_fn", None)
    if not callable(loss_fn):
        loss_fn = mg.nn.functional.cross_entropy
    targets = targets.array if isinstance(targets, mg.Tensor) else np.asarray(targets)
    return {"loss": loss_fn(out, targets)}, model


def _write_explorer(args, outputs, model):
    """--html: the backprop explorer. A non-scalar output gets dL/d(output) = 1
    everywhere (the gradient of its sum), as --show-grad does."""
    from .explore import explore
    from .graph import output_list
    from .render import GraphvizMissingError

    pairs = output_list((outputs,))
    gradient = [None if t.array.size == 1 else np.ones(t.shape, dtype=t.dtype) for _, t in pairs]
    try:
        written = explore(dict(pairs), params=model, path=args.html, gradient=gradient,
                          collapse=_collapse_spec(args.collapse), rankdir=args.rankdir,
                          title=args.title)
    except GraphvizMissingError as e:
        print(str(e), file=sys.stderr)
        return 1
    except ValueError as e:          # e.g. an output that does not require grad
        print(str(e), file=sys.stderr)
        return 1
    print(f"wrote {written}")
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    from .api import render, to_dot
    from .graph import output_list
    from .grads import record_grads
    from .render import GraphvizMissingError
    from .report import grad_table

    module, name, stem = load_target(args.target)
    outputs, model = outputs_for(module, name, args.no_loss, args.eval)
    if args.html:
        return _write_explorer(args, outputs, model)
    options = dict(params=model, show_grad=args.show_grad, show_saved=args.show_saved,
                   show_backward=args.show_backward, collapse=_collapse_spec(args.collapse),
                   max_nodes=args.max_nodes, rankdir=args.rankdir, title=args.title,
                   legend=not args.no_legend)
    if args.show_grad:
        tensors = [t for _, t in output_list((outputs,))]
        recorder = record_grads(*tensors)
        total = None
        for t in tensors:
            if t.requires_grad:
                part = t if t.array.size == 1 else t.sum()   # non-scalar: d(sum)/d(...)
                total = part if total is None else total + part
        if total is None:
            raise SystemExit("visualize: --show-grad needs an output that requires grad")
        total.backward()
        recorder.remove()
    if args.print_dot:
        sys.stdout.write(to_dot(outputs, **options))
        return 0
    fmt = args.format
    out = args.out or f"{stem}_graph.{fmt or 'svg'}"
    try:
        written = render(outputs, path=out, format=fmt, **options)
    except GraphvizMissingError as e:
        print(str(e), file=sys.stderr)
        return 1
    print(f"wrote {written}")
    if args.show_grad and args.grad_table:
        print(grad_table(outputs, params=model))
    return 0
