//! Accelerator dispatch: devices, their queues and backends.
//!
//! - A *device* is something jobs can run on: the native `cpu` backend (built-in ops on
//!   a worker thread) and, once ONNX Runtime is loaded, one device per execution
//!   provider that could be appended (see [`onnx::PRIORITY`] for the order tried).
//! - A [`queue::Queue`] has worker threads; jobs are submitted and complete
//!   asynchronously; completions are polled, waited for, or announced by a callback.
//! - The `onnx` backend drives ONNX Runtime through the safe wrappers in
//!   `crate::ffi::device::ort` (the only code touching ORT pointers).
//!
//! Everything here is safe Rust.

pub mod cpu;
pub mod json;
pub mod onnx;
pub mod queue;

use crate::ffi::device::ort;
use json::{esc, str_array};

/// What kind of hardware a device is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    Cpu,
    Gpu,
    Npu,
}

impl DeviceKind {
    /// From the C ABI code: 0 any, 1 cpu, 2 gpu, 3 npu (`None` = any).
    pub fn from_code(code: u32) -> Option<Option<DeviceKind>> {
        Some(match code {
            0 => None,
            1 => Some(DeviceKind::Cpu),
            2 => Some(DeviceKind::Gpu),
            3 => Some(DeviceKind::Npu),
            _ => return None,
        })
    }

    /// `"cpu"`, `"gpu"` or `"npu"`.
    pub fn name(self) -> &'static str {
        match self {
            DeviceKind::Cpu => "cpu",
            DeviceKind::Gpu => "gpu",
            DeviceKind::Npu => "npu",
        }
    }
}

/// Which backend runs a device's jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Built-in native ops.
    Cpu,
    /// ONNX Runtime with this execution provider.
    Onnx(onnx::Provider),
}

/// One device as listed by `rm_device_describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub index: u32,
    pub name: String,
    pub kind: DeviceKind,
    pub backend: Backend,
    /// Provider name: `"native"` for the cpu backend, else the ORT provider name.
    pub provider: String,
    pub capabilities: Vec<String>,
}

impl DeviceInfo {
    /// The description as one JSON object.
    pub fn to_json(&self) -> String {
        let backend = match self.backend {
            Backend::Cpu => "cpu",
            Backend::Onnx(_) => "onnx",
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        format!(
            "{{\"index\":{},\"name\":\"{}\",\"kind\":\"{}\",\"backend\":\"{}\",\"provider\":\"{}\",\
             \"capabilities\":{},\"hostThreads\":{}}}",
            self.index,
            esc(&self.name),
            self.kind.name(),
            backend,
            esc(&self.provider),
            str_array(&self.capabilities),
            threads
        )
    }
}

/// Every device usable now: the native cpu device first, then (when ONNX Runtime is
/// loaded) one device per available execution provider, in priority order. Indices are
/// stable for the life of the process (ORT is loaded at most once).
pub fn devices() -> Vec<DeviceInfo> {
    let mut out = vec![DeviceInfo {
        index: 0,
        name: "cpu".into(),
        kind: DeviceKind::Cpu,
        backend: Backend::Cpu,
        provider: "native".into(),
        capabilities: vec!["empty".into(), "gain".into(), "dot".into()],
    }];
    if let Some(rt) = ort::loaded() {
        for probe in onnx::probe(rt).iter().filter(|p| p.available) {
            let p = probe.provider;
            out.push(DeviceInfo {
                index: out.len() as u32,
                name: format!("onnx-{}", p.name().to_ascii_lowercase()),
                kind: p.kind(),
                backend: Backend::Onnx(p),
                provider: p.name().into(),
                capabilities: vec!["onnx".into(), p.ort_name().into()],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_device_is_always_listed_first() {
        let d = devices();
        assert_eq!(d[0].name, "cpu");
        assert_eq!(d[0].kind, DeviceKind::Cpu);
        let j = d[0].to_json();
        assert!(j.starts_with("{\"index\":0,\"name\":\"cpu\""), "{j}");
        assert!(
            j.contains("\"capabilities\":[\"empty\",\"gain\",\"dot\"]"),
            "{j}"
        );
    }

    #[test]
    fn kind_codes() {
        assert_eq!(DeviceKind::from_code(0), Some(None));
        assert_eq!(DeviceKind::from_code(3), Some(Some(DeviceKind::Npu)));
        assert_eq!(DeviceKind::from_code(4), None);
    }
}
