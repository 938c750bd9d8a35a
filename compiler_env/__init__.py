"""compiler_env: Gymnasium environments for compiler optimization with LLVM.

>>> import compiler_env
>>> sorted(compiler_env.ENV_SPECS)[:3]
['llvm-autophase-codesize-v0', 'llvm-autophase-dic-v0', 'llvm-autophase-ic-v0']
"""

from compiler_env.datasets import Benchmark, Dataset, Datasets, SeedUris
from compiler_env.env import CompilerEnv
from compiler_env.identity import program_hash, same_program
from compiler_env.programs import (
    FlagsLeftOut,
    benchmark_from_compile_commands,
    benchmark_from_dir,
    benchmark_from_file,
    benchmark_from_files,
    benchmark_from_ir,
    benchmark_from_source,
)
from compiler_env.registration import ENV_SPECS, make, register_envs
from compiler_env.retry import RetryPolicy
from compiler_env.rewards import Reward
from compiler_env.search import (
    SearchResult,
    evolutionary_search,
    greedy_search,
    random_search,
    search_benchmarks,
)
from compiler_env.state import CompilerEnvState, read_states, states_to_dataframe, write_states
from compiler_env.validation import ValidationResult, validate_states
from compiler_env.vector import CompilerVectorEnv, make_vec
from compiler_env.wrappers import SemanticsGuard
from service.proto.constants import VERSION
from service.sandbox import SandboxLimits

__all__ = [
    "ENV_SPECS",
    "Benchmark",
    "CompilerEnv",
    "CompilerEnvState",
    "CompilerVectorEnv",
    "Dataset",
    "Datasets",
    "FlagsLeftOut",
    "Reward",
    "RetryPolicy",
    "SandboxLimits",
    "SeedUris",
    "SearchResult",
    "SemanticsGuard",
    "ValidationResult",
    "benchmark_from_compile_commands",
    "benchmark_from_dir",
    "benchmark_from_file",
    "benchmark_from_files",
    "benchmark_from_ir",
    "benchmark_from_source",
    "evolutionary_search",
    "greedy_search",
    "make",
    "make_vec",
    "random_search",
    "read_states",
    "register_envs",
    "search_benchmarks",
    "states_to_dataframe",
    "validate_states",
    "write_states",
    "program_hash",
    "same_program",
]
__version__ = VERSION

register_envs()
