//! A device queue: worker threads that run submitted jobs; completions are collected
//! for the caller, who polls them, blocks on [`Queue::wait`] (from a thread that may
//! block, e.g. Deno's `nonblocking` pool), or is called back by a notifier thread.
//!
//! Tickets are `u31` numbers (wrapping), returned by [`Queue::submit`]. A completion is
//! `(ticket, status)`; a failed job's error is kept until [`Queue::take_error`].

use super::onnx::{OnnxBinding, OnnxSession};
use crate::error::{Error, Result, Status};
use crate::ffi::device::mem::ExternMem;
use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Something a device runs. A closed enum: no dynamic dispatch on the hot path.
pub enum Job {
    /// Nothing: measures the dispatch overhead.
    Empty,
    /// `buf *= gain` in place.
    Gain { buf: ExternMem, gain: f32 },
    /// `out[0] = a . b`.
    Dot {
        a: ExternMem,
        b: ExternMem,
        out: ExternMem,
    },
    /// Create an ONNX session (provider selection included).
    Load(Arc<OnnxSession>),
    /// Run a claimed binding (see [`RunClaim`]).
    Run(RunClaim),
}

/// A binding claimed for one run; dropping it releases the claim.
pub struct RunClaim(Arc<OnnxBinding>);

impl RunClaim {
    /// Claim `binding` (`Status::Busy` if it is already running).
    pub fn new(binding: Arc<OnnxBinding>) -> Result<RunClaim> {
        binding.claim()?;
        Ok(RunClaim(binding))
    }
}

impl Drop for RunClaim {
    fn drop(&mut self) {
        self.0.unclaim();
    }
}

impl Job {
    /// Run the job; returns the batch size for model runs (0 otherwise).
    fn execute(&mut self) -> Result<u32> {
        match self {
            Job::Empty => Ok(0),
            Job::Gain { buf, gain } => {
                super::cpu::gain(buf.f32_mut("buf")?, *gain)?;
                Ok(0)
            }
            Job::Dot { a, b, out } => {
                let r = super::cpu::dot(a.f32("a")?, b.f32("b")?)?;
                let o = out.f32_mut("out")?;
                o[0] = r;
                Ok(0)
            }
            Job::Load(s) => s.load().map(|_| 0),
            Job::Run(claim) => {
                let batch = claim.0.batch();
                claim.0.run_claimed()?;
                Ok(batch)
            }
        }
    }
}

/// Queue statistics, in the order `rm_queue_stats` writes them.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct QueueStats {
    pub submitted: u64,
    pub completed: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub wait_ns_total: u64,
    pub wait_ns_max: u64,
    pub exec_ns_total: u64,
    pub exec_ns_min: u64,
    pub exec_ns_max: u64,
    pub model_runs: u64,
    pub batch_items: u64,
    pub batch_max: u64,
    pub depth_max: u64,
}

impl QueueStats {
    pub const LEN: usize = 13;
    pub fn to_array(self) -> [f64; Self::LEN] {
        [
            self.submitted as f64,
            self.completed as f64,
            self.failed as f64,
            self.cancelled as f64,
            self.wait_ns_total as f64,
            self.wait_ns_max as f64,
            self.exec_ns_total as f64,
            self.exec_ns_min as f64,
            self.exec_ns_max as f64,
            self.model_runs as f64,
            self.batch_items as f64,
            self.batch_max as f64,
            self.depth_max as f64,
        ]
    }
}

/// Called (from the notifier thread) when completions are ready to poll.
pub type Notify = Arc<dyn Fn() + Send + Sync>;

struct Queued {
    ticket: u32,
    job: Job,
    at: Instant,
}

const MAX_KEPT_ERRORS: usize = 4096;

struct State {
    jobs: VecDeque<Queued>,
    done: VecDeque<(u32, i32)>,
    errors: HashMap<u32, Error>,
    closed: bool,
    next: u32,
    notified: bool,
    notify: Option<Notify>,
    notifier_running: bool,
    stats: QueueStats,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    done: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker never panics while holding the lock (jobs run outside it), so a
        // poisoned lock still holds consistent data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn complete(&self, st: &mut State, ticket: u32, r: Result<()>) {
        match r {
            Ok(()) => st.done.push_back((ticket, 0)),
            Err(e) => {
                st.done.push_back((ticket, e.status as i32));
                if st.errors.len() < MAX_KEPT_ERRORS {
                    st.errors.insert(ticket, e);
                }
            }
        }
        self.done.notify_all();
    }
}

/// A device queue with its worker threads.
pub struct Queue {
    device: u32,
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl Queue {
    /// A queue for device `device` with `threads` workers (1..=64).
    pub fn new(device: u32, threads: u32) -> Result<Queue> {
        if !(1..=64).contains(&threads) {
            return Err(Error::invalid(format!(
                "worker thread count {threads} is not in 1..64"
            )));
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                jobs: VecDeque::new(),
                done: VecDeque::new(),
                errors: HashMap::new(),
                closed: false,
                next: 0,
                notified: false,
                notify: None,
                notifier_running: false,
                stats: QueueStats::default(),
            }),
            work: Condvar::new(),
            done: Condvar::new(),
        });
        let mut workers = Vec::new();
        for i in 0..threads {
            let s = shared.clone();
            let h = std::thread::Builder::new()
                .name(format!("rm-device{device}-{i}"))
                .spawn(move || worker(s))
                .map_err(|e| {
                    Error::new(Status::OutOfMemory, format!("cannot spawn worker: {e}"))
                })?;
            workers.push(h);
        }
        Ok(Queue {
            device,
            shared,
            workers,
        })
    }

    /// The device index this queue serves.
    pub fn device(&self) -> u32 {
        self.device
    }

    /// Submit a job; returns its ticket.
    pub fn submit(&self, job: Job) -> Result<u32> {
        let mut st = self.shared.lock();
        if st.closed {
            return Err(Error::new(Status::Cancelled, "the queue is shut down"));
        }
        let ticket = st.next;
        st.next = st.next.wrapping_add(1) & 0x7fff_ffff;
        st.jobs.push_back(Queued {
            ticket,
            job,
            at: Instant::now(),
        });
        st.stats.submitted += 1;
        st.stats.depth_max = st.stats.depth_max.max(st.jobs.len() as u64);
        drop(st);
        self.shared.work.notify_one();
        Ok(ticket)
    }

    /// Block until at least one completion is ready, the queue shuts down, or `timeout`
    /// passes. Returns the number of completions ready.
    pub fn wait(&self, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        let mut st = self.shared.lock();
        while st.done.is_empty() && !st.closed {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            st = self
                .shared
                .done
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        st.done.len()
    }

    /// Move up to `out.len() / 2` completions into `out` as `(ticket, status)` pairs;
    /// returns how many. Re-arms the notifier.
    pub fn poll(&self, out: &mut [i32]) -> usize {
        let mut st = self.shared.lock();
        let n = (out.len() / 2).min(st.done.len());
        for i in 0..n {
            if let Some((t, s)) = st.done.pop_front() {
                out[2 * i] = t as i32;
                out[2 * i + 1] = s;
            }
        }
        st.notified = false;
        if !st.done.is_empty() {
            self.shared.done.notify_all();
        }
        n
    }

    /// Remove and return the error of a failed job.
    pub fn take_error(&self, ticket: u32) -> Option<Error> {
        self.shared.lock().errors.remove(&ticket)
    }

    /// Set (or clear) the completion callback. A notifier thread calls it once per batch
    /// of completions; polling re-arms it. The thread exits when cleared or shut down.
    pub fn set_notify(&self, notify: Option<Notify>) -> Result<()> {
        let mut st = self.shared.lock();
        if st.closed {
            return Err(Error::new(Status::Cancelled, "the queue is shut down"));
        }
        let start = notify.is_some() && !st.notifier_running;
        st.notify = notify;
        st.notified = false;
        if start {
            st.notifier_running = true;
            let s = self.shared.clone();
            // Detached on purpose: it may be blocked inside the callback (a Deno
            // thread-safe callback waits for the JS thread), so nobody joins it.
            std::thread::Builder::new()
                .name(format!("rm-device{}-notify", self.device))
                .spawn(move || notifier(s))
                .map_err(|e| {
                    Error::new(Status::OutOfMemory, format!("cannot spawn notifier: {e}"))
                })?;
        }
        drop(st);
        self.shared.done.notify_all();
        Ok(())
    }

    /// Stop accepting jobs, cancel queued ones (they complete with `Cancelled`), wake
    /// every waiter. Jobs already running finish. Idempotent.
    pub fn shutdown(&self) {
        let mut st = self.shared.lock();
        if st.closed {
            return;
        }
        st.closed = true;
        st.notify = None;
        while let Some(q) = st.jobs.pop_front() {
            st.stats.cancelled += 1;
            drop(q.job);
            self.shared.complete(
                &mut st,
                q.ticket,
                Err(Error::new(Status::Cancelled, "the queue was shut down")),
            );
        }
        drop(st);
        self.shared.work.notify_all();
        self.shared.done.notify_all();
    }

    /// Statistics so far.
    pub fn stats(&self) -> QueueStats {
        self.shared.lock().stats
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        self.shutdown();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn worker(shared: Arc<Shared>) {
    loop {
        let mut q = {
            let mut st = shared.lock();
            loop {
                if let Some(q) = st.jobs.pop_front() {
                    break q;
                }
                if st.closed {
                    return;
                }
                st = shared.work.wait(st).unwrap_or_else(|p| p.into_inner());
            }
        };
        let waited = q.at.elapsed().as_nanos() as u64;
        let t0 = Instant::now();
        let r = match catch_unwind(AssertUnwindSafe(|| q.job.execute())) {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                Status::Panic,
                "internal panic while running a job",
            )),
        };
        let exec = t0.elapsed().as_nanos() as u64;
        let model_run = matches!(q.job, Job::Run(_));
        // Release claims and borrows before the completion becomes visible.
        drop(q.job);
        let mut st = shared.lock();
        let s = &mut st.stats;
        s.wait_ns_total += waited;
        s.wait_ns_max = s.wait_ns_max.max(waited);
        s.exec_ns_total += exec;
        s.exec_ns_max = s.exec_ns_max.max(exec);
        s.exec_ns_min = if s.completed + s.failed == 0 {
            exec
        } else {
            s.exec_ns_min.min(exec)
        };
        match &r {
            Ok(batch) => {
                s.completed += 1;
                if model_run {
                    s.model_runs += 1;
                    s.batch_items += *batch as u64;
                    s.batch_max = s.batch_max.max(*batch as u64);
                }
            }
            Err(_) => s.failed += 1,
        }
        shared.complete(&mut st, q.ticket, r.map(|_| ()));
    }
}

fn notifier(shared: Arc<Shared>) {
    loop {
        let cb = {
            let mut st = shared.lock();
            loop {
                if st.closed || st.notify.is_none() {
                    st.notifier_running = false;
                    return;
                }
                if !st.done.is_empty() && !st.notified {
                    break;
                }
                st = shared.done.wait(st).unwrap_or_else(|p| p.into_inner());
            }
            st.notified = true;
            st.notify.clone()
        };
        if let Some(cb) = cb {
            cb();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn mem(v: &mut [f32]) -> ExternMem {
        // SAFETY: `v` outlives every job of these tests (they are awaited before return).
        unsafe { ExternMem::new(v.as_mut_ptr().cast(), v.len() * 4, "v").unwrap() }
    }

    fn drain(q: &Queue, want: usize) -> Vec<(u32, i32)> {
        let mut got = Vec::new();
        let mut buf = [0i32; 16];
        while got.len() < want {
            q.wait(Duration::from_secs(5));
            let n = q.poll(&mut buf);
            for i in 0..n {
                got.push((buf[2 * i] as u32, buf[2 * i + 1]));
            }
        }
        got
    }

    #[test]
    fn jobs_complete_asynchronously_in_order() {
        let q = Queue::new(0, 1).unwrap();
        let mut a = vec![1f32, 2.0, 3.0];
        let mut b = vec![4f32, 5.0, 6.0];
        let mut out = vec![0f32];
        let t0 = q.submit(Job::Empty).unwrap();
        let t1 = q
            .submit(Job::Gain {
                buf: mem(&mut a),
                gain: 2.0,
            })
            .unwrap();
        let t2 = q
            .submit(Job::Dot {
                a: mem(&mut b),
                b: mem(&mut b),
                out: mem(&mut out),
            })
            .unwrap();
        let done = drain(&q, 3);
        assert_eq!(done, vec![(t0, 0), (t1, 0), (t2, 0)]);
        assert_eq!(a, vec![2.0, 4.0, 6.0]);
        assert_eq!(out[0], 77.0);
        let s = q.stats();
        assert_eq!((s.submitted, s.completed, s.failed), (3, 3, 0));
    }

    #[test]
    fn failed_jobs_keep_their_error() {
        let q = Queue::new(0, 2).unwrap();
        let mut a = vec![1f32; 3];
        let mut b = vec![1f32; 4];
        let mut out = vec![0f32];
        let t = q
            .submit(Job::Dot {
                a: mem(&mut a),
                b: mem(&mut b),
                out: mem(&mut out),
            })
            .unwrap();
        let done = drain(&q, 1);
        assert_eq!(done, vec![(t, Status::InvalidArgument as i32)]);
        let e = q.take_error(t).unwrap();
        assert!(e.message.contains("different lengths"), "{}", e.message);
        assert!(q.take_error(t).is_none());
    }

    #[test]
    fn notifier_calls_back_and_shutdown_cancels() {
        let q = Queue::new(0, 1).unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        q.set_notify(Some(Arc::new(move || {
            c.fetch_add(1, Ordering::SeqCst);
        })))
        .unwrap();
        q.submit(Job::Empty).unwrap();
        let t = Instant::now();
        while calls.load(Ordering::SeqCst) == 0 && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(calls.load(Ordering::SeqCst) >= 1);
        let mut buf = [0i32; 4];
        assert_eq!(q.poll(&mut buf), 1);
        q.shutdown();
        assert_eq!(q.submit(Job::Empty).unwrap_err().status, Status::Cancelled);
        assert_eq!(q.wait(Duration::from_secs(1)), 0);
        assert!(Queue::new(0, 0).is_err());
        assert!(Queue::new(0, 65).is_err());
    }
}
