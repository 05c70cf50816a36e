//! ONNX Runtime's C API, declared by hand and loaded with `dlopen` at run time.
//!
//! This is the only code that touches ORT pointers. It exposes a small safe API
//! ([`Runtime`], [`SessionOptions`], [`Session`], [`Value`], [`IoBinding`]) used by
//! `crate::device::onnx`.
//!
//! `OrtApi` is an append-only table of function pointers: function `i` sits at
//! `table + i * sizeof(void*)` and keeps its index in later releases. We ask `GetApi`
//! for [`API_VERSION`], the lowest version covering every index used here (see
//! `shared/ONNXRUNTIME.md`). One `OrtEnv` per process: the first successful [`load`]
//! wins and is never unloaded (ORT does not support unloading).

use super::mem::ExternMem;
use crate::error::{Error, Result, Status};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr::{null, null_mut};
use std::sync::{Mutex, OnceLock};

/// The `OrtApi` version requested: 18 covers every function used here.
pub const API_VERSION: u32 = 18;

// ---- libc's dynamic loader, declared by hand ------------------------------------------

const RTLD_NOW: c_int = 2;

extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dlerror() -> *mut c_char;
}

fn dl_error() -> String {
    // SAFETY: dlerror returns null or a NUL-terminated string owned by libc.
    let p = unsafe { dlerror() };
    if p.is_null() {
        "unknown dlopen error".to_string()
    } else {
        // SAFETY: non-null, NUL-terminated (see above).
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

// ---- opaque ORT types -----------------------------------------------------------------

macro_rules! opaque {
    ($($name:ident),*) => { $( #[repr(C)] pub struct $name { _p: [u8; 0] } )* };
}
opaque!(
    OrtStatus,
    OrtEnv,
    OrtSession,
    OrtSessionOptions,
    OrtValue,
    OrtMemoryInfo,
    OrtAllocator,
    OrtTypeInfo,
    OrtTensorTypeAndShapeInfo,
    OrtIoBinding,
    OrtCudaOptions
);

type St = *mut OrtStatus;

/// `OrtLoggingFunction`: (param, severity, category, logid, code_location, message).
type LogFn = unsafe extern "C" fn(
    *mut c_void,
    c_int,
    *const c_char,
    *const c_char,
    *const c_char,
    *const c_char,
);

unsafe extern "C" fn drop_log(
    _param: *mut c_void,
    _severity: c_int,
    _category: *const c_char,
    _logid: *const c_char,
    _location: *const c_char,
    _message: *const c_char,
) {
}

#[repr(C)]
struct OrtApiBase {
    get_api: unsafe extern "C" fn(u32) -> *const *const c_void,
    get_version_string: unsafe extern "C" fn() -> *const c_char,
}

/// Table indices (zero-based) of the functions called here.
mod idx {
    pub const GET_ERROR_CODE: usize = 1;
    pub const GET_ERROR_MESSAGE: usize = 2;
    pub const CREATE_ENV_WITH_CUSTOM_LOGGER: usize = 4;
    pub const CREATE_SESSION: usize = 7;
    pub const CREATE_SESSION_OPTIONS: usize = 10;
    pub const SET_GRAPH_OPT_LEVEL: usize = 23;
    pub const SET_INTRA_OP_THREADS: usize = 24;
    pub const SET_INTER_OP_THREADS: usize = 25;
    pub const SESSION_GET_INPUT_COUNT: usize = 30;
    pub const SESSION_GET_OUTPUT_COUNT: usize = 31;
    pub const SESSION_GET_INPUT_TYPE_INFO: usize = 33;
    pub const SESSION_GET_OUTPUT_TYPE_INFO: usize = 34;
    pub const SESSION_GET_INPUT_NAME: usize = 36;
    pub const SESSION_GET_OUTPUT_NAME: usize = 37;
    pub const CREATE_TENSOR_WITH_DATA: usize = 49;
    pub const GET_TENSOR_MUTABLE_DATA: usize = 51;
    pub const CAST_TYPE_INFO_TO_TENSOR_INFO: usize = 55;
    pub const GET_TENSOR_ELEMENT_TYPE: usize = 60;
    pub const GET_DIMENSIONS_COUNT: usize = 61;
    pub const GET_DIMENSIONS: usize = 62;
    pub const CREATE_CPU_MEMORY_INFO: usize = 69;
    pub const ALLOCATOR_FREE: usize = 76;
    pub const GET_ALLOCATOR_WITH_DEFAULT_OPTIONS: usize = 78;
    pub const RELEASE_ENV: usize = 92;
    pub const RELEASE_STATUS: usize = 93;
    pub const RELEASE_MEMORY_INFO: usize = 94;
    pub const RELEASE_SESSION: usize = 95;
    pub const RELEASE_VALUE: usize = 96;
    pub const RELEASE_TYPE_INFO: usize = 98;
    pub const RELEASE_SESSION_OPTIONS: usize = 100;
    pub const GET_AVAILABLE_PROVIDERS: usize = 125;
    pub const RELEASE_AVAILABLE_PROVIDERS: usize = 126;
    pub const RUN_WITH_BINDING: usize = 133;
    pub const CREATE_IO_BINDING: usize = 134;
    pub const RELEASE_IO_BINDING: usize = 135;
    pub const BIND_INPUT: usize = 136;
    pub const BIND_OUTPUT: usize = 137;
    pub const APPEND_EP_CUDA_V2: usize = 204;
    pub const CREATE_CUDA_PROVIDER_OPTIONS: usize = 205;
    pub const RELEASE_CUDA_PROVIDER_OPTIONS: usize = 208;
    pub const APPEND_EP_GENERIC: usize = 216;
    pub const GET_BUILD_INFO_STRING: usize = 254;
    pub const APPEND_EP_OPENVINO_V2: usize = 275;
    pub const APPEND_EP_VITISAI: usize = 276;
    /// Highest index used; checked against the table when loading.
    pub const MAX: usize = 276;
}

/// The function table returned by `GetApi`.
#[derive(Clone, Copy)]
struct Api(*const *const c_void);

impl Api {
    /// Function pointer at `i`, as the function type `F`.
    ///
    /// # Safety
    /// `F` must be the exact C signature of entry `i` of `OrtApi`.
    unsafe fn f<F: Copy>(self, i: usize) -> F {
        debug_assert_eq!(
            std::mem::size_of::<F>(),
            std::mem::size_of::<*const c_void>()
        );
        // SAFETY: `i <= idx::MAX`, and `load` checked that every used entry is non-null.
        let p = unsafe { *self.0.add(i) };
        // SAFETY: the caller names the entry's signature; fn pointers are pointer-sized.
        unsafe { std::mem::transmute_copy::<*const c_void, F>(&p) }
    }
}

/// An error reported by ORT: its `OrtErrorCode` and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrtError {
    /// ORT error code (1 FAIL, 2 INVALID_ARGUMENT, 3 NO_SUCHFILE, ...).
    pub code: i32,
    /// ORT's message.
    pub message: String,
}

/// Name of an ORT error code.
pub fn code_name(code: i32) -> &'static str {
    match code {
        0 => "OK",
        1 => "FAIL",
        2 => "INVALID_ARGUMENT",
        3 => "NO_SUCHFILE",
        4 => "NO_MODEL",
        5 => "ENGINE_ERROR",
        6 => "RUNTIME_EXCEPTION",
        7 => "INVALID_PROTOBUF",
        8 => "MODEL_LOADED",
        9 => "NOT_IMPLEMENTED",
        10 => "INVALID_GRAPH",
        11 => "EP_FAIL",
        _ => "UNKNOWN",
    }
}

impl OrtError {
    /// Convert into the crate error for `what` (the operation that failed).
    pub fn into_error(self, what: &str) -> Error {
        let status = match self.code {
            3 => Status::Io,
            2 | 4 | 7 | 10 => Status::InvalidArgument,
            9 => Status::Unsupported,
            _ => Status::Backend,
        };
        Error::new(
            status,
            format!(
                "{what}: ONNX Runtime error {} ({}): {}",
                self.code,
                code_name(self.code),
                self.message
            ),
        )
    }
}

/// Tensor element types (`ONNXTensorElementDataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElemType {
    F32 = 1,
    U8 = 2,
    I8 = 3,
    I16 = 5,
    I32 = 6,
    I64 = 7,
    F16 = 10,
    F64 = 11,
    Bf16 = 16,
}

impl ElemType {
    /// From the ORT enum value.
    pub fn from_code(code: u32) -> Option<ElemType> {
        Some(match code {
            1 => ElemType::F32,
            2 => ElemType::U8,
            3 => ElemType::I8,
            5 => ElemType::I16,
            6 => ElemType::I32,
            7 => ElemType::I64,
            10 => ElemType::F16,
            11 => ElemType::F64,
            16 => ElemType::Bf16,
            _ => return None,
        })
    }
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            ElemType::U8 | ElemType::I8 => 1,
            ElemType::I16 | ElemType::F16 | ElemType::Bf16 => 2,
            ElemType::F32 | ElemType::I32 => 4,
            ElemType::I64 | ElemType::F64 => 8,
        }
    }
    /// Lower-case name (`"float32"`).
    pub fn name(self) -> &'static str {
        match self {
            ElemType::F32 => "float32",
            ElemType::U8 => "uint8",
            ElemType::I8 => "int8",
            ElemType::I16 => "int16",
            ElemType::I32 => "int32",
            ElemType::I64 => "int64",
            ElemType::F16 => "float16",
            ElemType::F64 => "float64",
            ElemType::Bf16 => "bfloat16",
        }
    }
}

/// Name, element type and shape (`-1` for a dynamic dimension) of a model input/output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    pub name: String,
    /// None for non-tensor values or element types not listed in [`ElemType`].
    pub elem: Option<ElemType>,
    pub shape: Vec<i64>,
}

// ---- the runtime ----------------------------------------------------------------------

/// A loaded ONNX Runtime: its API table, the process-wide environment and CPU memory info.
pub struct Runtime {
    api: Api,
    env: *mut OrtEnv,
    mem: *mut OrtMemoryInfo,
    alloc: *mut OrtAllocator,
    /// Path the library was loaded from.
    pub path: String,
    /// `GetVersionString()`, e.g. "1.30.0".
    pub version: String,
    /// `GetBuildInfoString()`.
    pub build_info: String,
    /// `GetAvailableProviders()`: providers compiled into this build (not necessarily loadable).
    pub compiled_providers: Vec<String>,
}

// SAFETY: the API table is immutable; OrtEnv, the CPU memory info and the default
// allocator are documented as thread-safe and live for the whole process.
unsafe impl Send for Runtime {}
// SAFETY: as above.
unsafe impl Sync for Runtime {}

static RUNTIME: OnceLock<&'static Runtime> = OnceLock::new();
static LOAD_LOCK: Mutex<()> = Mutex::new(());

/// The runtime loaded by an earlier [`load`], if any.
pub fn loaded() -> Option<&'static Runtime> {
    RUNTIME.get().copied()
}

/// Load ONNX Runtime from `path` once per process. Later calls return the runtime
/// already loaded (whatever path they name).
pub fn load(path: &str) -> Result<&'static Runtime> {
    if let Some(rt) = loaded() {
        return Ok(rt);
    }
    let _guard = LOAD_LOCK
        .lock()
        .map_err(|_| Error::new(Status::Panic, "ORT load lock poisoned"))?;
    if let Some(rt) = loaded() {
        return Ok(rt);
    }
    let rt: &'static Runtime = Box::leak(Box::new(Runtime::open(path)?));
    let _ = RUNTIME.set(rt);
    Ok(rt)
}

fn cstring(s: &str, what: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::invalid(format!("{what} contains a NUL byte")))
}

fn lossy(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        // SAFETY: ORT returns NUL-terminated strings.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

impl Runtime {
    fn open(path: &str) -> Result<Runtime> {
        let cpath = cstring(path, "ONNX Runtime library path")?;
        if std::fs::metadata(path).is_err() {
            return Err(Error::new(
                Status::Io,
                format!("Cannot load ONNX Runtime: no file at {path}"),
            ));
        }
        // SAFETY: valid NUL-terminated path; flags are plain integers.
        let lib = unsafe { dlopen(cpath.as_ptr(), RTLD_NOW) };
        if lib.is_null() {
            return Err(Error::new(
                Status::Io,
                format!("Cannot load ONNX Runtime from {path}: {}", dl_error()),
            ));
        }
        // SAFETY: `lib` is a live handle; the symbol name is NUL-terminated.
        let sym = unsafe { dlsym(lib, c"OrtGetApiBase".as_ptr()) };
        if sym.is_null() {
            return Err(Error::new(
                Status::Backend,
                format!("{path} does not export OrtGetApiBase: not an ONNX Runtime library"),
            ));
        }
        // SAFETY: OrtGetApiBase has this signature in every ORT release.
        let get_base: unsafe extern "C" fn() -> *const OrtApiBase =
            unsafe { std::mem::transmute::<*mut c_void, _>(sym) };
        // SAFETY: returns a pointer to a static struct.
        let base = unsafe { get_base() };
        if base.is_null() {
            return Err(Error::new(Status::Backend, "OrtGetApiBase returned null"));
        }
        // SAFETY: `base` points to ORT's static OrtApiBase.
        let base = unsafe { &*base };
        // SAFETY: plain call through ORT's own table.
        let version = lossy(unsafe { (base.get_version_string)() });
        // SAFETY: as above.
        let table = unsafe { (base.get_api)(API_VERSION) };
        if table.is_null() {
            return Err(Error::new(
                Status::Unsupported,
                format!(
                    "ONNX Runtime {version} at {path} does not offer API version {API_VERSION} \
                     (ONNX Runtime 1.{API_VERSION} or newer is needed)"
                ),
            ));
        }
        for i in 0..=idx::MAX {
            // SAFETY: a table of version >= 18 holds more than 276 entries.
            if unsafe { *table.add(i) }.is_null() && needed(i) {
                return Err(Error::new(
                    Status::Unsupported,
                    format!("ONNX Runtime {version} at {path}: API entry {i} is null"),
                ));
            }
        }
        let api = Api(table);
        let mut rt = Runtime {
            api,
            env: null_mut(),
            mem: null_mut(),
            alloc: null_mut(),
            path: path.to_string(),
            version,
            build_info: String::new(),
            compiled_providers: Vec::new(),
        };
        // SAFETY: signatures match the table (see idx); out-params are valid locals.
        unsafe {
            let get_build: unsafe extern "C" fn() -> *const c_char =
                api.f(idx::GET_BUILD_INFO_STRING);
            rt.build_info = lossy(get_build());
            // A custom logger that drops ORT's log lines: provider probing fails by design
            // (e.g. "Failed to load library ...providers_shared.so") and every failure is
            // recorded with ORT's message, so the log lines would only be noise on stderr
            // (the logging level passed to CreateEnv does not silence them).
            let create_env: unsafe extern "C" fn(
                LogFn,
                *mut c_void,
                c_int,
                *const c_char,
                *mut *mut OrtEnv,
            ) -> St = api.f(idx::CREATE_ENV_WITH_CUSTOM_LOGGER);
            let mut env = null_mut();
            let st = create_env(drop_log, null_mut(), 3, c"remotemedia".as_ptr(), &mut env);
            rt.env = env;
            rt.check(st)
                .map_err(|e| e.into_error("Cannot create the ONNX Runtime environment"))?;
            let cpu_info: unsafe extern "C" fn(c_int, c_int, *mut *mut OrtMemoryInfo) -> St =
                api.f(idx::CREATE_CPU_MEMORY_INFO);
            let mut mem = null_mut();
            let st = cpu_info(1, 0, &mut mem);
            rt.mem = mem;
            rt.check(st)
                .map_err(|e| e.into_error("Cannot create CPU memory info"))?;
            let get_alloc: unsafe extern "C" fn(*mut *mut OrtAllocator) -> St =
                api.f(idx::GET_ALLOCATOR_WITH_DEFAULT_OPTIONS);
            let mut alloc = null_mut();
            let st = get_alloc(&mut alloc);
            rt.alloc = alloc;
            rt.check(st)
                .map_err(|e| e.into_error("Cannot get the default allocator"))?;
            let get_providers: unsafe extern "C" fn(*mut *mut *mut c_char, *mut c_int) -> St =
                api.f(idx::GET_AVAILABLE_PROVIDERS);
            let release_providers: unsafe extern "C" fn(*mut *mut c_char, c_int) -> St =
                api.f(idx::RELEASE_AVAILABLE_PROVIDERS);
            let mut list: *mut *mut c_char = null_mut();
            let mut n: c_int = 0;
            if rt.check(get_providers(&mut list, &mut n)).is_ok() && !list.is_null() {
                for i in 0..n.max(0) as usize {
                    rt.compiled_providers.push(lossy(*list.add(i)));
                }
                let _ = rt.check(release_providers(list, n));
            }
        }
        Ok(rt)
    }

    /// Turn an `OrtStatus*` into a result, releasing the status.
    fn check(&self, st: St) -> std::result::Result<(), OrtError> {
        if st.is_null() {
            return Ok(());
        }
        // SAFETY: `st` is a live status returned by ORT; signatures match the table.
        unsafe {
            let code: unsafe extern "C" fn(*const OrtStatus) -> c_int =
                self.api.f(idx::GET_ERROR_CODE);
            let msg: unsafe extern "C" fn(*const OrtStatus) -> *const c_char =
                self.api.f(idx::GET_ERROR_MESSAGE);
            let release: unsafe extern "C" fn(St) = self.api.f(idx::RELEASE_STATUS);
            let err = OrtError {
                code: code(st),
                message: lossy(msg(st)),
            };
            release(st);
            Err(err)
        }
    }

    /// New session options (graph optimization "all", threads left at ORT's default).
    pub fn session_options(&'static self) -> std::result::Result<SessionOptions, OrtError> {
        let mut p = null_mut();
        // SAFETY: signature matches; `p` is a valid out-param.
        unsafe {
            let create: unsafe extern "C" fn(*mut *mut OrtSessionOptions) -> St =
                self.api.f(idx::CREATE_SESSION_OPTIONS);
            self.check(create(&mut p))?;
        }
        Ok(SessionOptions { rt: self, p })
    }

    /// Create a session for the model at `path`.
    pub fn create_session(
        &'static self,
        path: &str,
        options: &SessionOptions,
    ) -> std::result::Result<Session, OrtError> {
        let cpath = CString::new(path).map_err(|_| OrtError {
            code: 2,
            message: "model path contains a NUL byte".into(),
        })?;
        let mut s = null_mut();
        // SAFETY: live env and options; NUL-terminated path; valid out-param.
        unsafe {
            let create: unsafe extern "C" fn(
                *const OrtEnv,
                *const c_char,
                *const OrtSessionOptions,
                *mut *mut OrtSession,
            ) -> St = self.api.f(idx::CREATE_SESSION);
            self.check(create(self.env, cpath.as_ptr(), options.p, &mut s))?;
        }
        let mut session = Session {
            rt: self,
            p: s,
            inputs: Vec::new(),
            outputs: Vec::new(),
        };
        session.inputs = session.specs(false)?;
        session.outputs = session.specs(true)?;
        Ok(session)
    }

    /// Wrap `mem` (caller or pool memory) as a tensor without copying.
    pub fn tensor(
        &'static self,
        mem: ExternMem,
        shape: &[i64],
        elem: ElemType,
    ) -> std::result::Result<Value, OrtError> {
        let mut v = null_mut();
        // SAFETY: `mem` is valid for `mem.len()` bytes while the returned Value (which
        // owns it) lives; shape points to `shape.len()` i64s; ORT checks the byte count.
        unsafe {
            let create: unsafe extern "C" fn(
                *const OrtMemoryInfo,
                *mut c_void,
                usize,
                *const i64,
                usize,
                c_int,
                *mut *mut OrtValue,
            ) -> St = self.api.f(idx::CREATE_TENSOR_WITH_DATA);
            let shape_ptr = if shape.is_empty() {
                null()
            } else {
                shape.as_ptr()
            };
            self.check(create(
                self.mem,
                mem.as_mut_ptr().cast(),
                mem.len(),
                shape_ptr,
                shape.len(),
                elem as c_int,
                &mut v,
            ))?;
        }
        Ok(Value {
            rt: self,
            p: v,
            _mem: mem,
        })
    }
}

/// Whether table entry `i` is one this module calls (and so must be non-null).
fn needed(i: usize) -> bool {
    use idx::*;
    [
        GET_ERROR_CODE,
        GET_ERROR_MESSAGE,
        CREATE_ENV_WITH_CUSTOM_LOGGER,
        CREATE_SESSION,
        CREATE_SESSION_OPTIONS,
        SET_GRAPH_OPT_LEVEL,
        SET_INTRA_OP_THREADS,
        SET_INTER_OP_THREADS,
        SESSION_GET_INPUT_COUNT,
        SESSION_GET_OUTPUT_COUNT,
        SESSION_GET_INPUT_TYPE_INFO,
        SESSION_GET_OUTPUT_TYPE_INFO,
        SESSION_GET_INPUT_NAME,
        SESSION_GET_OUTPUT_NAME,
        CREATE_TENSOR_WITH_DATA,
        GET_TENSOR_MUTABLE_DATA,
        CAST_TYPE_INFO_TO_TENSOR_INFO,
        GET_TENSOR_ELEMENT_TYPE,
        GET_DIMENSIONS_COUNT,
        GET_DIMENSIONS,
        CREATE_CPU_MEMORY_INFO,
        ALLOCATOR_FREE,
        GET_ALLOCATOR_WITH_DEFAULT_OPTIONS,
        RELEASE_ENV,
        RELEASE_STATUS,
        RELEASE_MEMORY_INFO,
        RELEASE_SESSION,
        RELEASE_VALUE,
        RELEASE_TYPE_INFO,
        RELEASE_SESSION_OPTIONS,
        GET_AVAILABLE_PROVIDERS,
        RELEASE_AVAILABLE_PROVIDERS,
        RUN_WITH_BINDING,
        CREATE_IO_BINDING,
        RELEASE_IO_BINDING,
        BIND_INPUT,
        BIND_OUTPUT,
        APPEND_EP_GENERIC,
        GET_BUILD_INFO_STRING,
    ]
    .contains(&i)
}

// ---- session options ------------------------------------------------------------------

/// `OrtSessionOptions`, released on drop.
pub struct SessionOptions {
    rt: &'static Runtime,
    p: *mut OrtSessionOptions,
}

fn kv(pairs: &[(&str, &str)]) -> std::result::Result<(Vec<CString>, Vec<CString>), OrtError> {
    let bad = |_| OrtError {
        code: 2,
        message: "provider option contains a NUL byte".into(),
    };
    let mut k = Vec::with_capacity(pairs.len());
    let mut v = Vec::with_capacity(pairs.len());
    for (a, b) in pairs {
        k.push(CString::new(*a).map_err(bad)?);
        v.push(CString::new(*b).map_err(bad)?);
    }
    Ok((k, v))
}

impl SessionOptions {
    /// Intra- and inter-op thread counts (0 = ORT's default: one per core).
    pub fn set_threads(&mut self, intra: u32, inter: u32) -> std::result::Result<(), OrtError> {
        // SAFETY: live options; signatures match.
        unsafe {
            let set_intra: unsafe extern "C" fn(*mut OrtSessionOptions, c_int) -> St =
                self.rt.api.f(idx::SET_INTRA_OP_THREADS);
            let set_inter: unsafe extern "C" fn(*mut OrtSessionOptions, c_int) -> St =
                self.rt.api.f(idx::SET_INTER_OP_THREADS);
            self.rt.check(set_intra(self.p, intra as c_int))?;
            self.rt.check(set_inter(self.p, inter as c_int))
        }
    }

    /// Graph optimization level: 0 none, 1 basic, 2 extended, 99 all.
    pub fn set_optimization(&mut self, level: u32) -> std::result::Result<(), OrtError> {
        // SAFETY: live options; signature matches.
        unsafe {
            let set: unsafe extern "C" fn(*mut OrtSessionOptions, c_int) -> St =
                self.rt.api.f(idx::SET_GRAPH_OPT_LEVEL);
            self.rt.check(set(self.p, level as c_int))
        }
    }

    /// Append a provider through the generic by-name call (QNN, OpenVINO, XNNPACK, ...).
    pub fn append_generic(
        &mut self,
        name: &str,
        pairs: &[(&str, &str)],
    ) -> std::result::Result<(), OrtError> {
        let (k, v) = kv(pairs)?;
        let kp: Vec<*const c_char> = k.iter().map(|s| s.as_ptr()).collect();
        let vp: Vec<*const c_char> = v.iter().map(|s| s.as_ptr()).collect();
        let cname = CString::new(name).map_err(|_| OrtError {
            code: 2,
            message: "provider name contains a NUL byte".into(),
        })?;
        // SAFETY: live options; arrays of `pairs.len()` NUL-terminated strings.
        unsafe {
            let append: unsafe extern "C" fn(
                *mut OrtSessionOptions,
                *const c_char,
                *const *const c_char,
                *const *const c_char,
                usize,
            ) -> St = self.rt.api.f(idx::APPEND_EP_GENERIC);
            self.rt.check(append(
                self.p,
                cname.as_ptr(),
                kp.as_ptr(),
                vp.as_ptr(),
                kp.len(),
            ))
        }
    }

    fn append_kv(
        &mut self,
        index: usize,
        pairs: &[(&str, &str)],
    ) -> std::result::Result<(), OrtError> {
        let (k, v) = kv(pairs)?;
        let kp: Vec<*const c_char> = k.iter().map(|s| s.as_ptr()).collect();
        let vp: Vec<*const c_char> = v.iter().map(|s| s.as_ptr()).collect();
        // SAFETY: entries 275 and 276 share this signature; arrays hold `kp.len()` strings.
        unsafe {
            let p: *const c_void = *self.rt.api.0.add(index);
            if p.is_null() {
                return Err(OrtError {
                    code: 9,
                    message: format!("API entry {index} is missing in this build"),
                });
            }
            let append: unsafe extern "C" fn(
                *mut OrtSessionOptions,
                *const *const c_char,
                *const *const c_char,
                usize,
            ) -> St = self.rt.api.f(index);
            self.rt
                .check(append(self.p, kp.as_ptr(), vp.as_ptr(), kp.len()))
        }
    }

    /// Append OpenVINO (`SessionOptionsAppendExecutionProvider_OpenVINO_V2`).
    pub fn append_openvino(&mut self, pairs: &[(&str, &str)]) -> std::result::Result<(), OrtError> {
        self.append_kv(idx::APPEND_EP_OPENVINO_V2, pairs)
    }

    /// Append VitisAI (`SessionOptionsAppendExecutionProvider_VitisAI`).
    pub fn append_vitisai(&mut self, pairs: &[(&str, &str)]) -> std::result::Result<(), OrtError> {
        self.append_kv(idx::APPEND_EP_VITISAI, pairs)
    }

    /// Append CUDA with default options (`CreateCUDAProviderOptions` + `_CUDA_V2`).
    pub fn append_cuda(&mut self) -> std::result::Result<(), OrtError> {
        // SAFETY: signatures match the table; the options object is released below.
        unsafe {
            for i in [
                idx::CREATE_CUDA_PROVIDER_OPTIONS,
                idx::APPEND_EP_CUDA_V2,
                idx::RELEASE_CUDA_PROVIDER_OPTIONS,
            ] {
                if (*self.rt.api.0.add(i)).is_null() {
                    return Err(OrtError {
                        code: 9,
                        message: format!("API entry {i} is missing in this build"),
                    });
                }
            }
            let create: unsafe extern "C" fn(*mut *mut OrtCudaOptions) -> St =
                self.rt.api.f(idx::CREATE_CUDA_PROVIDER_OPTIONS);
            let append: unsafe extern "C" fn(*mut OrtSessionOptions, *const OrtCudaOptions) -> St =
                self.rt.api.f(idx::APPEND_EP_CUDA_V2);
            let release: unsafe extern "C" fn(*mut OrtCudaOptions) =
                self.rt.api.f(idx::RELEASE_CUDA_PROVIDER_OPTIONS);
            let mut opts = null_mut();
            self.rt.check(create(&mut opts))?;
            let r = self.rt.check(append(self.p, opts));
            release(opts);
            r
        }
    }
}

impl Drop for SessionOptions {
    fn drop(&mut self) {
        // SAFETY: `p` was created by CreateSessionOptions and is released once.
        unsafe {
            let release: unsafe extern "C" fn(*mut OrtSessionOptions) =
                self.rt.api.f(idx::RELEASE_SESSION_OPTIONS);
            release(self.p);
        }
    }
}

// ---- sessions -------------------------------------------------------------------------

/// An inference session with its input/output specs.
pub struct Session {
    rt: &'static Runtime,
    p: *mut OrtSession,
    /// Model inputs, in model order.
    pub inputs: Vec<TensorSpec>,
    /// Model outputs, in model order.
    pub outputs: Vec<TensorSpec>,
}

// SAFETY: ORT documents `Run` as safe to call concurrently on one session; the other
// calls here only read session metadata.
unsafe impl Send for Session {}
// SAFETY: as above.
unsafe impl Sync for Session {}

impl Session {
    fn specs(&self, outputs: bool) -> std::result::Result<Vec<TensorSpec>, OrtError> {
        let api = self.rt.api;
        let (ci, ni, ti) = if outputs {
            (
                idx::SESSION_GET_OUTPUT_COUNT,
                idx::SESSION_GET_OUTPUT_NAME,
                idx::SESSION_GET_OUTPUT_TYPE_INFO,
            )
        } else {
            (
                idx::SESSION_GET_INPUT_COUNT,
                idx::SESSION_GET_INPUT_NAME,
                idx::SESSION_GET_INPUT_TYPE_INFO,
            )
        };
        let mut out = Vec::new();
        // SAFETY: live session; signatures match the table; every out-param is a valid
        // local; names are freed with the allocator that made them; type infos released.
        unsafe {
            let count: unsafe extern "C" fn(*const OrtSession, *mut usize) -> St = api.f(ci);
            let name: unsafe extern "C" fn(
                *const OrtSession,
                usize,
                *mut OrtAllocator,
                *mut *mut c_char,
            ) -> St = api.f(ni);
            let tinfo: unsafe extern "C" fn(*const OrtSession, usize, *mut *mut OrtTypeInfo) -> St =
                api.f(ti);
            let free: unsafe extern "C" fn(*mut OrtAllocator, *mut c_void) -> St =
                api.f(idx::ALLOCATOR_FREE);
            let cast: unsafe extern "C" fn(
                *const OrtTypeInfo,
                *mut *const OrtTensorTypeAndShapeInfo,
            ) -> St = api.f(idx::CAST_TYPE_INFO_TO_TENSOR_INFO);
            let elem_type: unsafe extern "C" fn(
                *const OrtTensorTypeAndShapeInfo,
                *mut c_int,
            ) -> St = api.f(idx::GET_TENSOR_ELEMENT_TYPE);
            let ndims: unsafe extern "C" fn(*const OrtTensorTypeAndShapeInfo, *mut usize) -> St =
                api.f(idx::GET_DIMENSIONS_COUNT);
            let dims: unsafe extern "C" fn(
                *const OrtTensorTypeAndShapeInfo,
                *mut i64,
                usize,
            ) -> St = api.f(idx::GET_DIMENSIONS);
            let release_ti: unsafe extern "C" fn(*mut OrtTypeInfo) = api.f(idx::RELEASE_TYPE_INFO);

            let mut n = 0usize;
            self.rt.check(count(self.p, &mut n))?;
            for i in 0..n {
                let mut cname = null_mut();
                self.rt.check(name(self.p, i, self.rt.alloc, &mut cname))?;
                let name_s = lossy(cname);
                let _ = self.rt.check(free(self.rt.alloc, cname.cast()));
                let mut ti_p = null_mut();
                self.rt.check(tinfo(self.p, i, &mut ti_p))?;
                let mut spec = TensorSpec {
                    name: name_s,
                    elem: None,
                    shape: Vec::new(),
                };
                let mut info = null();
                if self.rt.check(cast(ti_p, &mut info)).is_ok() && !info.is_null() {
                    let mut et: c_int = 0;
                    let mut nd = 0usize;
                    if self.rt.check(elem_type(info, &mut et)).is_ok() {
                        spec.elem = ElemType::from_code(et as u32);
                    }
                    if self.rt.check(ndims(info, &mut nd)).is_ok() {
                        let mut d = vec![0i64; nd];
                        if nd == 0 || self.rt.check(dims(info, d.as_mut_ptr(), nd)).is_ok() {
                            spec.shape = d;
                        }
                    }
                }
                release_ti(ti_p);
                out.push(spec);
            }
        }
        Ok(out)
    }

    /// A new I/O binding for this session.
    pub fn binding(&self) -> std::result::Result<IoBinding, OrtError> {
        let mut b = null_mut();
        // SAFETY: live session; valid out-param.
        unsafe {
            let create: unsafe extern "C" fn(*mut OrtSession, *mut *mut OrtIoBinding) -> St =
                self.rt.api.f(idx::CREATE_IO_BINDING);
            self.rt.check(create(self.p, &mut b))?;
        }
        Ok(IoBinding {
            rt: self.rt,
            p: b,
            session: self.p,
        })
    }

    /// Run with every input and output taken from `binding` (made by this session).
    pub fn run(&self, binding: &mut IoBinding) -> std::result::Result<(), OrtError> {
        if binding.session != self.p {
            return Err(OrtError {
                code: 2,
                message: "the binding belongs to another session".into(),
            });
        }
        // SAFETY: live session and binding of that session; no run options.
        unsafe {
            let run: unsafe extern "C" fn(
                *mut OrtSession,
                *const c_void,
                *const OrtIoBinding,
            ) -> St = self.rt.api.f(idx::RUN_WITH_BINDING);
            self.rt.check(run(self.p, null(), binding.p))
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: created by CreateSession, released once.
        unsafe {
            let release: unsafe extern "C" fn(*mut OrtSession) =
                self.rt.api.f(idx::RELEASE_SESSION);
            release(self.p);
        }
    }
}

// ---- values and bindings --------------------------------------------------------------

/// A tensor over memory we own (pool or caller memory), released on drop.
pub struct Value {
    rt: &'static Runtime,
    p: *mut OrtValue,
    _mem: ExternMem,
}

// SAFETY: the value is used by one thread at a time (the binding's mutex).
unsafe impl Send for Value {}

impl Value {
    /// Address of the tensor's data as ORT sees it (`GetTensorMutableData`).
    pub fn data_addr(&self) -> std::result::Result<usize, OrtError> {
        let mut d: *mut c_void = null_mut();
        // SAFETY: live value; valid out-param.
        unsafe {
            let get: unsafe extern "C" fn(*mut OrtValue, *mut *mut c_void) -> St =
                self.rt.api.f(idx::GET_TENSOR_MUTABLE_DATA);
            self.rt.check(get(self.p, &mut d))?;
        }
        Ok(d as usize)
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        // SAFETY: created by CreateTensorWithDataAsOrtValue, released once (the memory
        // itself is ours and outlives this call).
        unsafe {
            let release: unsafe extern "C" fn(*mut OrtValue) = self.rt.api.f(idx::RELEASE_VALUE);
            release(self.p);
        }
    }
}

/// `OrtIoBinding`: inputs and outputs bound to pre-created values.
pub struct IoBinding {
    rt: &'static Runtime,
    p: *mut OrtIoBinding,
    session: *mut OrtSession,
}

// SAFETY: a binding is used by one thread at a time (the owner's mutex).
unsafe impl Send for IoBinding {}

impl IoBinding {
    /// Bind `value` to the input or output `name`. The caller keeps `value` alive as
    /// long as this binding may run.
    pub fn bind(
        &mut self,
        output: bool,
        name: &CStr,
        value: &Value,
    ) -> std::result::Result<(), OrtError> {
        // SAFETY: live binding and value; NUL-terminated name.
        unsafe {
            let f: unsafe extern "C" fn(*mut OrtIoBinding, *const c_char, *const OrtValue) -> St =
                self.rt.api.f(if output {
                    idx::BIND_OUTPUT
                } else {
                    idx::BIND_INPUT
                });
            self.rt.check(f(self.p, name.as_ptr(), value.p))
        }
    }
}

impl Drop for IoBinding {
    fn drop(&mut self) {
        // SAFETY: created by CreateIoBinding, released once.
        unsafe {
            let release: unsafe extern "C" fn(*mut OrtIoBinding) =
                self.rt.api.f(idx::RELEASE_IO_BINDING);
            release(self.p);
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Never reached for the leaked process-wide runtime; kept so a failed `open`
        // (which returns before leaking) releases what it created.
        // SAFETY: each pointer is null or was created by the matching call, released once.
        unsafe {
            if !self.mem.is_null() {
                let release: unsafe extern "C" fn(*mut OrtMemoryInfo) =
                    self.api.f(idx::RELEASE_MEMORY_INFO);
                release(self.mem);
            }
            if !self.env.is_null() {
                let release: unsafe extern "C" fn(*mut OrtEnv) = self.api.f(idx::RELEASE_ENV);
                release(self.env);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_foreign_libraries_are_clear_errors() {
        let e = Runtime::open("/nonexistent/libonnxruntime.so.1")
            .err()
            .unwrap();
        assert_eq!(e.status, Status::Io);
        assert!(
            e.message.contains("/nonexistent/libonnxruntime.so.1"),
            "{}",
            e.message
        );
        // A real shared library that is not ONNX Runtime.
        let libc = [
            "/lib/x86_64-linux-gnu/libm.so.6",
            "/usr/lib/x86_64-linux-gnu/libm.so.6",
        ]
        .into_iter()
        .find(|p| std::fs::metadata(p).is_ok());
        if let Some(p) = libc {
            let e = Runtime::open(p).err().unwrap();
            assert!(e.message.contains("OrtGetApiBase"), "{}", e.message);
        }
        assert_eq!(ElemType::from_code(7), Some(ElemType::I64));
        assert_eq!(ElemType::from_code(4), None);
        assert_eq!(code_name(2), "INVALID_ARGUMENT");
    }
}
