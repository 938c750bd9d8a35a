"""A small sequence model on IrTokens: from a program's tokens, predict how much
clang's -Oz shrinks it, ``log(IrInstructionCount / IrInstructionCountOz)``.

Csmith programs of the train split are embedded token by token, a 1-d
convolution pools them into one vector, and a linear head regresses the target.
The full mode then predicts it for the programs of kernels-v0, the test set,
next to the best constant guess (the training targets' mean). ``--short``
trains on three programs for a few steps (what the test runs).

    python3 examples/ir_tokens_model.py [--short]
"""

from __future__ import annotations

import argparse
import math

import torch

import compiler_env
from compiler_env import tokens

__all__ = ["TokenRegressor", "load_programs", "train"]


class TokenRegressor(torch.nn.Module):
    """Embedding, one convolution, max-pooling over the sequence, a linear head."""

    def __init__(self, vocabulary_size: int, width: int = 32) -> None:
        super().__init__()
        self.embedding = torch.nn.Embedding(vocabulary_size, width, padding_idx=0)
        self.conv = torch.nn.Conv1d(width, width, kernel_size=5, padding=2)
        self.head = torch.nn.Linear(width, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embedding(ids).transpose(1, 2)  # (batch, width, length)
        x = torch.relu(self.conv(x)).amax(dim=2)
        return self.head(x).squeeze(1)


def load_programs(
    env: compiler_env.CompilerEnv, count: int, max_tokens: int, dataset: str = "csmith-v0"
) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``count`` programs of the dataset's split (``train``, or ``test`` for
    kernels-v0) as ids padded to the longest (at most ``max_tokens``), and their targets."""
    uris = env.datasets[dataset].split("test" if dataset == "kernels-v0" else "train")
    sequences, targets = [], []
    for uri in uris[:count]:
        env.reset(options={"benchmark": uri})
        ids = torch.from_numpy(env.observation["IrTokens"][:max_tokens].astype("int64"))
        sequences.append(ids)
        count, oz = env.observation["IrInstructionCount"], env.observation["IrInstructionCountOz"]
        targets.append(math.log(max(count, 1) / max(oz, 1)))
    padded = torch.nn.utils.rnn.pad_sequence(sequences, batch_first=True)  # 0 is <pad>
    return padded, torch.tensor(targets)


def train(
    ids: torch.Tensor, targets: torch.Tensor, steps: int
) -> tuple[TokenRegressor, list[float]]:
    """Trains a fresh model on the whole batch; returns it and the loss of each step."""
    torch.manual_seed(0)
    model = TokenRegressor(len(tokens.vocabulary()))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(model(ids), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="three programs, 20 steps")
    args = parser.parse_args()
    count, steps = (3, 20) if args.short else (64, 200)
    with compiler_env.make("llvm-v0") as env:
        ids, targets = load_programs(env, count, max_tokens=4096)
        test_ids, test_targets = load_programs(env, 0 if args.short else 31, 4096, "kernels-v0")
    model, losses = train(ids, targets, steps)
    print(f"{count} programs, {ids.shape[1]} tokens each (padded)")
    print(f"loss: first step {losses[0]:.4f}, last step {losses[-1]:.4f}")
    if len(test_targets):
        with torch.no_grad():
            error = torch.nn.functional.mse_loss(model(test_ids), test_targets).item()
        guess = torch.full_like(test_targets, targets.mean().item())
        constant = torch.nn.functional.mse_loss(guess, test_targets).item()
        print(f"held-out kernels-v0 ({len(test_targets)} programs), mean squared error: "
              f"the model {error:.4f}, the training mean as a guess {constant:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
