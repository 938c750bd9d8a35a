from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Array(_message.Message):
    __slots__ = ("dtype", "shape", "data")
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    dtype: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    data: bytes
    def __init__(self, dtype: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., data: _Optional[bytes] = ...) -> None: ...

class Observation(_message.Message):
    __slots__ = ("array", "text", "binary", "int64_value", "double_value")
    ARRAY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    BINARY_FIELD_NUMBER: _ClassVar[int]
    INT64_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    array: Array
    text: str
    binary: bytes
    int64_value: int
    double_value: float
    def __init__(self, array: _Optional[_Union[Array, _Mapping]] = ..., text: _Optional[str] = ..., binary: _Optional[bytes] = ..., int64_value: _Optional[int] = ..., double_value: _Optional[float] = ...) -> None: ...

class GetVersionRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetVersionReply(_message.Message):
    __slots__ = ("service_version", "compiler_version", "protocol_version", "request_timeout", "boot_id", "lease_seconds")
    SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    COMPILER_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    service_version: str
    compiler_version: str
    protocol_version: int
    request_timeout: float
    boot_id: str
    lease_seconds: float
    def __init__(self, service_version: _Optional[str] = ..., compiler_version: _Optional[str] = ..., protocol_version: _Optional[int] = ..., request_timeout: _Optional[float] = ..., boot_id: _Optional[str] = ..., lease_seconds: _Optional[float] = ...) -> None: ...

class GetSpacesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ActionSpaceInfo(_message.Message):
    __slots__ = ("name", "action_names", "pipelines", "unsafe", "slow")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACTION_NAMES_FIELD_NUMBER: _ClassVar[int]
    PIPELINES_FIELD_NUMBER: _ClassVar[int]
    UNSAFE_FIELD_NUMBER: _ClassVar[int]
    SLOW_FIELD_NUMBER: _ClassVar[int]
    name: str
    action_names: _containers.RepeatedScalarFieldContainer[str]
    pipelines: _containers.RepeatedScalarFieldContainer[str]
    unsafe: _containers.RepeatedScalarFieldContainer[str]
    slow: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., action_names: _Optional[_Iterable[str]] = ..., pipelines: _Optional[_Iterable[str]] = ..., unsafe: _Optional[_Iterable[str]] = ..., slow: _Optional[_Iterable[str]] = ...) -> None: ...

class ObservationSpaceInfo(_message.Message):
    __slots__ = ("name", "kind", "shape", "low", "high", "deterministic", "platform_dependent", "feature_names", "description", "charset")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    DETERMINISTIC_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_DEPENDENT_FIELD_NUMBER: _ClassVar[int]
    FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CHARSET_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    low: float
    high: float
    deterministic: bool
    platform_dependent: bool
    feature_names: _containers.RepeatedScalarFieldContainer[str]
    description: str
    charset: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., low: _Optional[float] = ..., high: _Optional[float] = ..., deterministic: _Optional[bool] = ..., platform_dependent: _Optional[bool] = ..., feature_names: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ..., charset: _Optional[str] = ...) -> None: ...

class GetSpacesReply(_message.Message):
    __slots__ = ("action_space", "observation_spaces")
    ACTION_SPACE_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_SPACES_FIELD_NUMBER: _ClassVar[int]
    action_space: ActionSpaceInfo
    observation_spaces: _containers.RepeatedCompositeFieldContainer[ObservationSpaceInfo]
    def __init__(self, action_space: _Optional[_Union[ActionSpaceInfo, _Mapping]] = ..., observation_spaces: _Optional[_Iterable[_Union[ObservationSpaceInfo, _Mapping]]] = ...) -> None: ...

class StartSessionRequest(_message.Message):
    __slots__ = ("benchmark", "observation_spaces", "actions", "boot_id", "deadline_seconds", "runtime_runs", "runtime_warmup_runs")
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_SPACES_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_RUNS_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_WARMUP_RUNS_FIELD_NUMBER: _ClassVar[int]
    benchmark: str
    observation_spaces: _containers.RepeatedScalarFieldContainer[str]
    actions: _containers.RepeatedScalarFieldContainer[int]
    boot_id: str
    deadline_seconds: float
    runtime_runs: int
    runtime_warmup_runs: int
    def __init__(self, benchmark: _Optional[str] = ..., observation_spaces: _Optional[_Iterable[str]] = ..., actions: _Optional[_Iterable[int]] = ..., boot_id: _Optional[str] = ..., deadline_seconds: _Optional[float] = ..., runtime_runs: _Optional[int] = ..., runtime_warmup_runs: _Optional[int] = ...) -> None: ...

class StartSessionReply(_message.Message):
    __slots__ = ("session_id", "observations", "worker_address", "benchmark", "worker_pid", "boot_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    WORKER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    WORKER_PID_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    observations: _containers.RepeatedCompositeFieldContainer[Observation]
    worker_address: str
    benchmark: str
    worker_pid: int
    boot_id: str
    def __init__(self, session_id: _Optional[str] = ..., observations: _Optional[_Iterable[_Union[Observation, _Mapping]]] = ..., worker_address: _Optional[str] = ..., benchmark: _Optional[str] = ..., worker_pid: _Optional[int] = ..., boot_id: _Optional[str] = ...) -> None: ...

class KeepAliveRequest(_message.Message):
    __slots__ = ("session_ids", "boot_id")
    SESSION_IDS_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    session_ids: _containers.RepeatedScalarFieldContainer[str]
    boot_id: str
    def __init__(self, session_ids: _Optional[_Iterable[str]] = ..., boot_id: _Optional[str] = ...) -> None: ...

class KeepAliveReply(_message.Message):
    __slots__ = ("boot_id", "unknown_session_ids")
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_SESSION_IDS_FIELD_NUMBER: _ClassVar[int]
    boot_id: str
    unknown_session_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, boot_id: _Optional[str] = ..., unknown_session_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class EndSessionRequest(_message.Message):
    __slots__ = ("session_id", "boot_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    boot_id: str
    def __init__(self, session_id: _Optional[str] = ..., boot_id: _Optional[str] = ...) -> None: ...

class EndSessionReply(_message.Message):
    __slots__ = ("reason", "reason_status", "boot_id")
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_STATUS_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    reason: str
    reason_status: int
    boot_id: str
    def __init__(self, reason: _Optional[str] = ..., reason_status: _Optional[int] = ..., boot_id: _Optional[str] = ...) -> None: ...

class ForkSessionRequest(_message.Message):
    __slots__ = ("session_id", "boot_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    boot_id: str
    def __init__(self, session_id: _Optional[str] = ..., boot_id: _Optional[str] = ...) -> None: ...

class ForkSessionReply(_message.Message):
    __slots__ = ("session_id", "worker_address", "worker_pid", "boot_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    WORKER_PID_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    worker_address: str
    worker_pid: int
    boot_id: str
    def __init__(self, session_id: _Optional[str] = ..., worker_address: _Optional[str] = ..., worker_pid: _Optional[int] = ..., boot_id: _Optional[str] = ...) -> None: ...

class StepRequest(_message.Message):
    __slots__ = ("session_id", "actions", "observation_spaces", "boot_id", "budget_seconds")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_SPACES_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    BUDGET_SECONDS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    actions: _containers.RepeatedScalarFieldContainer[int]
    observation_spaces: _containers.RepeatedScalarFieldContainer[str]
    boot_id: str
    budget_seconds: float
    def __init__(self, session_id: _Optional[str] = ..., actions: _Optional[_Iterable[int]] = ..., observation_spaces: _Optional[_Iterable[str]] = ..., boot_id: _Optional[str] = ..., budget_seconds: _Optional[float] = ...) -> None: ...

class StepReply(_message.Message):
    __slots__ = ("observations", "boot_id")
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    BOOT_ID_FIELD_NUMBER: _ClassVar[int]
    observations: _containers.RepeatedCompositeFieldContainer[Observation]
    boot_id: str
    def __init__(self, observations: _Optional[_Iterable[_Union[Observation, _Mapping]]] = ..., boot_id: _Optional[str] = ...) -> None: ...

class ListDatasetsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DatasetInfo(_message.Message):
    __slots__ = ("name", "description", "license", "size", "uri_prefix", "max_seed")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LICENSE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    URI_PREFIX_FIELD_NUMBER: _ClassVar[int]
    MAX_SEED_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    license: str
    size: int
    uri_prefix: str
    max_seed: int
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., license: _Optional[str] = ..., size: _Optional[int] = ..., uri_prefix: _Optional[str] = ..., max_seed: _Optional[int] = ...) -> None: ...

class ListDatasetsReply(_message.Message):
    __slots__ = ("datasets",)
    DATASETS_FIELD_NUMBER: _ClassVar[int]
    datasets: _containers.RepeatedCompositeFieldContainer[DatasetInfo]
    def __init__(self, datasets: _Optional[_Iterable[_Union[DatasetInfo, _Mapping]]] = ...) -> None: ...

class ListBenchmarksRequest(_message.Message):
    __slots__ = ("dataset", "offset", "count")
    DATASET_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    dataset: str
    offset: int
    count: int
    def __init__(self, dataset: _Optional[str] = ..., offset: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class ListBenchmarksReply(_message.Message):
    __slots__ = ("uris",)
    URIS_FIELD_NUMBER: _ClassVar[int]
    uris: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, uris: _Optional[_Iterable[str]] = ...) -> None: ...

class WorkerRequest(_message.Message):
    __slots__ = ("step", "start", "fault", "fork_worker")
    STEP_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    FAULT_FIELD_NUMBER: _ClassVar[int]
    FORK_WORKER_FIELD_NUMBER: _ClassVar[int]
    step: StepRequest
    start: StartSessionRequest
    fault: FaultRequest
    fork_worker: ForkWorkerRequest
    def __init__(self, step: _Optional[_Union[StepRequest, _Mapping]] = ..., start: _Optional[_Union[StartSessionRequest, _Mapping]] = ..., fault: _Optional[_Union[FaultRequest, _Mapping]] = ..., fork_worker: _Optional[_Union[ForkWorkerRequest, _Mapping]] = ...) -> None: ...

class WorkerReply(_message.Message):
    __slots__ = ("code", "error_type", "message", "step", "start", "forked")
    CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    FORKED_FIELD_NUMBER: _ClassVar[int]
    code: int
    error_type: str
    message: str
    step: StepReply
    start: StartSessionReply
    forked: ForkWorkerReply
    def __init__(self, code: _Optional[int] = ..., error_type: _Optional[str] = ..., message: _Optional[str] = ..., step: _Optional[_Union[StepReply, _Mapping]] = ..., start: _Optional[_Union[StartSessionReply, _Mapping]] = ..., forked: _Optional[_Union[ForkWorkerReply, _Mapping]] = ...) -> None: ...

class ForkWorkerRequest(_message.Message):
    __slots__ = ("control", "listen", "workdir", "busy_stamp", "service_pid")
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    LISTEN_FIELD_NUMBER: _ClassVar[int]
    WORKDIR_FIELD_NUMBER: _ClassVar[int]
    BUSY_STAMP_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PID_FIELD_NUMBER: _ClassVar[int]
    control: str
    listen: str
    workdir: str
    busy_stamp: str
    service_pid: int
    def __init__(self, control: _Optional[str] = ..., listen: _Optional[str] = ..., workdir: _Optional[str] = ..., busy_stamp: _Optional[str] = ..., service_pid: _Optional[int] = ...) -> None: ...

class ForkWorkerReply(_message.Message):
    __slots__ = ("pid",)
    PID_FIELD_NUMBER: _ClassVar[int]
    pid: int
    def __init__(self, pid: _Optional[int] = ...) -> None: ...

class FaultRequest(_message.Message):
    __slots__ = ("kind", "at_step")
    KIND_FIELD_NUMBER: _ClassVar[int]
    AT_STEP_FIELD_NUMBER: _ClassVar[int]
    kind: str
    at_step: int
    def __init__(self, kind: _Optional[str] = ..., at_step: _Optional[int] = ...) -> None: ...
