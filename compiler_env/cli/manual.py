"""compiler-env manual: an interactive shell over one env.

Apply passes by name, undo them, look at any observation or reward, print the
opt command line, save the state as CSV, move to another benchmark. With
stdin not a terminal it runs a script: no prompt, and it stops at the first
command that fails, with exit status 1.
"""

from __future__ import annotations

import argparse
import cmd
import os
import sys
from typing import Any

from compiler_env.cli.catalog import make_env
from compiler_env.env import CompilerEnv
from compiler_env.rewards import REWARDS
from compiler_env.state import read_states, write_states
from service.proto.errors import CompilerEnvError, InvalidAction

__all__ = ["Shell", "add_parsers"]


def add_parsers(commands: Any) -> None:
    """Adds manual."""
    parser = commands.add_parser(
        "manual", help="an interactive shell: apply passes by name, observe, undo, save",
        description=__doc__.split("\n\n", 1)[1].replace("\n", " "),
    )  # fmt: skip
    parser.add_argument("--env", default="llvm-ic-v0", help="the env id (default: llvm-ic-v0)")
    parser.add_argument("--benchmark", help="the benchmark URI (default: the env's)")
    parser.add_argument("--reward", help="the reward space (default: the env's)")
    parser.set_defaults(run=_manual)


def _manual(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {"reward_space": args.reward} if args.reward else {}
    if args.benchmark:
        overrides["benchmark"] = args.benchmark
    with make_env(args, args.env, **overrides) as env:
        env.reset()
        shell = Shell(env, interactive=sys.stdin.isatty())
        shell.cmdloop()
        return 1 if shell.failed else 0


class Shell(cmd.Cmd):
    """The commands of ``compiler-env manual`` over one env.

    Args:
        env: the env, reset onto its benchmark.
        interactive: a person types (a prompt, readline completion, carry on
            after an error) rather than a script.
    """

    def __init__(self, env: CompilerEnv, *, interactive: bool) -> None:
        super().__init__()
        self.env, self.interactive = env, interactive
        self.failed = False
        self.use_rawinput = interactive
        self.prompt = "compiler-env> " if interactive else ""
        if interactive:
            self.intro = (f"{env.benchmark}, {env.action_space.n} actions; "
                          "help lists the commands, quit leaves")  # fmt: skip

    # -- the loop ---------------------------------------------------------------

    def preloop(self) -> None:
        if self.interactive:
            try:
                import readline

                readline.set_completer_delims(" \t\n")  # pass names have hyphens
            except ImportError:
                pass

    def onecmd(self, line: str) -> bool:
        try:
            return bool(super().onecmd(line))
        except (CompilerEnvError, OSError, ValueError) as error:
            return self._error(str(error))

    def _error(self, message: str) -> bool:
        """Reports a failed command; a script stops at it."""
        self.failed = True
        sys.stdout.flush()  # what came before it, first
        print(f"error: {' '.join(message.split())}", file=sys.stderr, flush=True)
        return not self.interactive

    def emptyline(self) -> bool:
        return False  # not cmd's default, which repeats the last command

    def default(self, line: str) -> bool:  # type: ignore[override]  # True stops a script
        return self._error(f"unknown command {line.split()[0]!r}; help lists the commands")

    # -- commands -----------------------------------------------------------------

    def do_actions(self, arg: str) -> None:
        """actions [PREFIX]: list the action names (those starting with PREFIX)."""
        for i, name in enumerate(self.env.action_space.names):
            if name.startswith(arg.strip()):
                print(f"{i:>4}  {name}")

    def do_spaces(self, arg: str) -> None:
        """spaces: list the observation and reward spaces."""
        print("observation spaces:")
        for name, space in sorted(self.env.observation_spaces.items()):
            print(f"  {name:<32} {space.description}")
        print("reward spaces:")
        current = self.env.reward_space
        for name in REWARDS:
            mark = "  (the env's)" if current is not None and current.name == name else ""
            print(f"  {name}{mark}")

    def do_step(self, arg: str) -> bool | None:
        """step NAME [NAME ...]: apply actions by name (or index), in order."""
        words = arg.split()
        if not words:
            return self._error("step needs action names, e.g. step mem2reg instcombine")
        actions = [self._action(word) for word in words]  # every name checked before any runs
        _, reward, _, truncated, info = self.env.multistep(actions)
        if truncated:
            return self._error(info.get("error", "the step failed"))
        self._report(float(reward))
        return None

    do_apply = do_step

    def _action(self, word: str) -> int:
        space = self.env.action_space
        if word.isdigit():
            if int(word) >= int(space.n):
                raise InvalidAction(f"no action {word}: the actions are 0..{int(space.n) - 1}")
            return int(word)
        if word not in space.names:
            raise InvalidAction(f"no action named {word!r}; actions lists them")
        return space.index(word)

    def _report(self, reward: float | None = None) -> None:
        count = len(self.env.actions)
        parts = [f"{count} action{'s' if count != 1 else ''}"]
        if self.env.reward_space is not None:
            if reward is not None:
                parts.append(f"reward {reward:+.4f}")
            parts.append(f"episode reward {self.env.episode_reward:.4f}")
        print(", ".join(parts))

    def complete_step(self, text: str, *_: Any) -> list[str]:
        return [n for n in self.env.action_space.names if n.startswith(text)]

    complete_apply = complete_step

    def do_undo(self, arg: str) -> bool | None:
        """undo [N]: take back the last N actions (default 1), by replaying the others."""
        if arg.strip() and not arg.strip().isdigit():
            return self._error(f"undo takes a number of actions, not {arg.strip()!r}")
        count = int(arg) if arg.strip() else 1
        actions = self.env.actions
        if not 1 <= count <= len(actions):
            return self._error(f"cannot undo {count} of {len(actions)} actions")
        self.env.reset()
        if actions[:-count]:
            self.env.multistep(actions[:-count])
        self._report()
        return None

    def do_observe(self, arg: str) -> bool | None:
        """observe SPACE: print an observation of the current program, e.g. observe Ir."""
        if not arg.strip():
            return self._error("observe needs a space name; spaces lists them")
        print(self.env.observation[arg.strip()])
        return None

    def complete_observe(self, text: str, *_: Any) -> list[str]:
        return sorted(n for n in self.env.observation_spaces if n.startswith(text))

    def do_reward(self, arg: str) -> bool | None:
        """reward [SPACE]: the episode reward, or SPACE's reward since it was last asked."""
        if arg.strip():
            print(f"{self.env.reward[arg.strip()]:.6f}")
        elif self.env.reward_space is None:
            return self._error("the env has no reward space; name one: reward IrInstructionCountOz")
        else:
            print(f"{self.env.episode_reward:.6f}")
        return None

    def complete_reward(self, text: str, *_: Any) -> list[str]:
        return [n for n in REWARDS if n.startswith(text)]

    def do_commandline(self, arg: str) -> None:
        """commandline: the opt command that replays the episode."""
        print(self.env.commandline())

    def do_state(self, arg: str) -> None:
        """state: the benchmark, the actions so far and the episode reward."""
        names = self.env.action_space.names
        print(self.env.benchmark)
        print(" ".join(names[a] for a in self.env.actions) or "(no actions)")
        self._report()

    def do_save(self, arg: str) -> bool | None:
        """save FILE: add the state to a CSV file of states (compiler-env validate reads it)."""
        path = arg.strip()
        if not path:
            return self._error("save needs a file name, e.g. save results.csv")
        states = list(read_states(path)) if os.path.exists(path) else []
        write_states(path, [*states, self.env.state])
        print(f"saved state {len(states) + 1} to {path}")
        return None

    def do_reset(self, arg: str) -> None:
        """reset [BENCHMARK]: start again, on BENCHMARK (a URI) or the same one."""
        self.env.reset(options={"benchmark": arg.strip()} if arg.strip() else None)
        print(self.env.benchmark)

    def do_quit(self, arg: str) -> bool:
        """quit: leave the shell (so does end of input)."""
        return True

    do_exit = do_quit

    def do_EOF(self, arg: str) -> bool:
        if self.interactive:
            print()
        return True

    def do_help(self, arg: str) -> bool | None:
        """help [COMMAND]: list the commands, or describe one."""
        if arg:
            method = getattr(self, f"do_{arg}", None)
            if method is None or arg == "EOF":
                return self._error(f"no command {arg!r}; help lists them")
            print(method.__doc__)
            return None
        for name in sorted(n[3:] for n in self.get_names() if n.startswith("do_")):
            doc = getattr(self, f"do_{name}").__doc__
            if doc and name not in ("EOF", "apply", "exit"):
                print(f"  {doc.splitlines()[0]}")
        return None
