//! Order-keeping parallel maps for independent work (parsing a chart's files,
//! running templates, reading and rewriting manifest documents, rendering a
//! stack's releases): each item goes to
//! whichever thread is free next, and the results come back in input order,
//! so callers see what a sequential loop would give.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Threads to use for `work` bytes of templates or documents:
/// `CHARTFIX_THREADS` when set to a number, else one for ordinary charts and
/// every core for big ones.
///
/// Threads give nothing on small charts: on the 2-core virtual machines this
/// was measured on, waking a thread on the other core takes about 30 µs and
/// sharing values between cores makes their reference counts travel between
/// caches, so even with new threads moved off their spawner's CPU
/// ([`leave_cpu`]) a Redis chart renders in 1.03 of one thread's time on
/// two, and Kafka in 0.98 (docs/benchmarks.md, issue 18's fifth pass).
pub fn threads_for(work: usize) -> usize {
    /// Below this, one thread is faster (about twenty times a Bitnami chart).
    const WORTH_THREADS: usize = 16 * 1024 * 1024;
    threads_when(work >= WORTH_THREADS)
}

/// Threads to use for `work` bytes of manifest documents to read and rewrite:
/// `CHARTFIX_THREADS` when set to a number, else every core once there is
/// enough to split. Unlike a chart's templates, documents share no values,
/// so only waking the threads costs: about 30 µs, against 4 ms for the
/// 64 KiB below which one thread does it all.
pub fn threads_for_documents(work: usize) -> usize {
    const WORTH_THREADS: usize = 64 * 1024;
    threads_when(work >= WORTH_THREADS)
}

/// Threads for `jobs` independent jobs that each take milliseconds (a
/// stack's releases): `CHARTFIX_THREADS` when set to a number, else one a
/// job up to the number of cores.
pub fn threads_for_jobs(jobs: usize) -> usize {
    configured().unwrap_or_else(|| cores().min(jobs.max(1)))
}

/// `CHARTFIX_THREADS` when set, else every core when the work is worth it.
fn threads_when(worth_it: bool) -> usize {
    configured().unwrap_or_else(|| if worth_it { cores() } else { 1 })
}

/// Whether work can be handed to a core this thread leaves idle: more than
/// one core, and `CHARTFIX_THREADS` not set (set to 1, it asks for one thread).
pub fn spare_core() -> bool {
    configured().is_none() && cores() > 1
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn configured() -> Option<usize> {
    static N: OnceLock<Option<usize>> = OnceLock::new();
    *N.get_or_init(|| {
        let set = std::env::var("CHARTFIX_THREADS").ok()?;
        set.trim().parse::<usize>().ok().map(|n| n.max(1))
    })
}

/// `f` over every item on up to `threads` threads, the caller's included;
/// `meanwhile` runs first on the caller's thread, which then joins in.
pub fn map_while<I, R, M>(
    items: &[I],
    threads: usize,
    meanwhile: impl FnOnce() -> M,
    f: impl Fn(&I) -> R + Sync,
) -> (M, Vec<R>)
where
    I: Sync,
    R: Send + Sync,
{
    let jobs = InTurn::new(items.len());
    let work = || jobs.work(|i| f(&items[i]));
    let out = std::thread::scope(|s| {
        for _ in 1..threads.min(items.len()) {
            s.spawn(elsewhere(work));
        }
        let out = meanwhile();
        work();
        out
    });
    (out, jobs.into_results())
}

/// The results of jobs `0..n`, which threads take in turn: each job is done
/// once, by whichever thread asks for it first, and its result is kept in
/// job order.
pub struct InTurn<R> {
    slots: Vec<OnceLock<R>>,
    next: AtomicUsize,
}

impl<R> InTurn<R> {
    pub fn new(jobs: usize) -> InTurn<R> {
        InTurn {
            slots: (0..jobs).map(|_| OnceLock::new()).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Jobs `0..done.len()`, those whose result is given already done.
    pub fn with_results(done: Vec<Option<R>>) -> InTurn<R> {
        InTurn {
            slots: done
                .into_iter()
                .map(|r| r.map_or_else(OnceLock::new, OnceLock::from))
                .collect(),
            next: AtomicUsize::new(0),
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Does, one at a time, the jobs no thread has taken yet: `f(i)` for job `i`.
    pub fn work(&self, f: impl Fn(usize) -> R) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = self.slots.get(i) else {
                return;
            };
            if slot.get().is_none() {
                let _ = slot.set(f(i));
            }
        }
    }

    /// Job `i`'s result, once a thread has done it.
    pub fn get(&self, i: usize) -> Option<&R> {
        self.slots.get(i)?.get()
    }

    /// Every job's result; every job must be done.
    pub fn into_results(self) -> Vec<R> {
        self.slots
            .into_iter()
            .map(|slot| slot.into_inner().expect("every job is done"))
            .collect()
    }
}

/// Waiting without sleeping at first: a thread that polls for what another
/// thread hands it spins, then yields, and (napping) only then sleeps in
/// short naps. A sleeping thread woken by another is placed on its waker's
/// CPU on the virtual machines measured, and takes tens of microseconds to
/// run.
pub struct Backoff {
    waited: u32,
    spins: u32,
    naps: bool,
}

impl Backoff {
    /// For what comes after a while (a chart loaded, a file offered):
    /// spins briefly, yields, then naps.
    pub fn napping() -> Backoff {
        Backoff {
            waited: 0,
            spins: 64,
            naps: true,
        }
    }

    /// For what another thread has at most a file's parse away: spins
    /// longer, then yields, and never sleeps.
    pub fn spinning() -> Backoff {
        Backoff {
            waited: 0,
            spins: 4096,
            naps: false,
        }
    }

    /// Waits a little, longer the longer it has waited.
    pub fn wait(&mut self) {
        self.waited = self.waited.saturating_add(1);
        if self.waited < self.spins {
            std::hint::spin_loop();
        } else if !self.naps || self.waited < 4096 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
    }
}

/// `ready()`'s value once it has one, or `None` once `gone()` says it never
/// will, polling with `backoff` in between.
pub fn wait_for<T>(
    ready: impl Fn() -> Option<T>,
    gone: impl Fn() -> bool,
    mut backoff: Backoff,
) -> Option<T> {
    loop {
        if let Some(value) = ready() {
            return Some(value);
        }
        if gone() {
            // Set just before the other thread ended, perhaps.
            return ready();
        }
        backoff.wait();
    }
}

/// `f` over every item on up to `threads` threads, results in input order.
pub fn map<I: Sync, R: Send + Sync>(
    items: &[I],
    threads: usize,
    f: impl Fn(&I) -> R + Sync,
) -> Vec<R> {
    map_while(items, threads, || (), f).1
}

/// Drops `garbage` on a thread of its own ([`elsewhere`]); where no thread
/// can be had, drops it here.
pub fn drop_elsewhere<T: Send + 'static>(garbage: T) {
    // Where spawning fails, the closure, and with it `garbage`, is dropped
    // right here.
    let _ = std::thread::Builder::new().spawn(elsewhere(move || drop(garbage)));
}

/// `f` as the body of a new thread spawned from this one: it first leaves
/// this thread's CPU ([`leave_cpu`]), then runs `f`. Every thread chartfix
/// spawns for its own work starts this way.
pub fn elsewhere<R>(f: impl FnOnce() -> R) -> impl FnOnce() -> R {
    let here = current_cpu();
    move || {
        leave_cpu(here);
        f()
    }
}

/// Spawns `f` on a thread kept off the caller's CPU for its whole life (on
/// a machine with another): a helper that works beside the caller, and
/// waits for it at times, would otherwise be started, and woken, on the
/// caller's CPU, and take it from the caller (Linux places a thread it wakes
/// near its waker); [`elsewhere`] moves a thread only once it runs, which
/// on the 2-core machine measured took up to 3 ms again and again.
pub fn spawn_apart<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<T>> {
    let here = current_cpu();
    let handle = std::thread::Builder::new().name(name.into()).spawn(f)?;
    #[cfg(target_os = "linux")]
    if let Some((_, elsewhere)) = here.and_then(cpus_but) {
        use std::os::unix::thread::JoinHandleExt;
        // SAFETY: the set is of the size given, and the thread is alive (its
        // handle is held) while its affinity is set.
        unsafe {
            libc::pthread_setaffinity_np(
                handle.as_pthread_t(),
                std::mem::size_of::<libc::cpu_set_t>(),
                &elsewhere,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = here;
    Ok(handle)
}

/// The CPU the calling thread runs on, where Linux tells.
fn current_cpu() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sched_getcpu takes nothing and only returns a number.
        let cpu = unsafe { libc::sched_getcpu() };
        usize::try_from(cpu).ok()
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Called first by a new thread ([`elsewhere`]): if it runs on the CPU of the
/// thread that spawned it (`spawner`, that thread's [`current_cpu`]), it
/// moves to another CPU it may run on, and may then run anywhere again.
///
/// Linux starts a new thread on its spawner's CPU, where it either takes the
/// CPU from the spawner or waits behind it; on the 2-core virtual machine
/// measured it reached the idle CPU only after about 3 ms (`perf sched
/// timehist`), the whole of a small job. Moving at once made `render beta9`
/// take 0.854 of the time and `post-render` of 1,000 documents 0.86
/// (docs/benchmarks.md, issue 18's fifth pass).
fn leave_cpu(spawner: Option<usize>) {
    #[cfg(target_os = "linux")]
    {
        let Some(spawner) = spawner else { return };
        if current_cpu() != Some(spawner) {
            return;
        }
        let Some((allowed, elsewhere)) = cpus_but(spawner) else {
            return;
        };
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: the sets are of the size given.
        unsafe {
            if libc::sched_setaffinity(0, size, &elsewhere) == 0 {
                libc::sched_setaffinity(0, size, &allowed);
            }
        }
    }
}

/// The CPUs the calling thread may run on, and those of them other than
/// `cpu`; `None` where Linux does not tell, or `cpu` is the only one.
#[cfg(target_os = "linux")]
fn cpus_but(cpu: usize) -> Option<(libc::cpu_set_t, libc::cpu_set_t)> {
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: cpu_set_t is plain data, zeroes are an empty set, and the call
    // gets a pointer to a set of the size given.
    unsafe {
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
            return None;
        }
        let mut others = allowed;
        libc::CPU_CLR(cpu, &mut others);
        (libc::CPU_COUNT(&others) > 0).then_some((allowed, others))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_spawned_apart_stays_off_its_spawners_cpu() {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cpus < 2 {
            eprintln!("SKIPPED: one CPU only");
            return;
        }
        let here = current_cpu().expect("Linux tells the CPU");
        let handle = spawn_apart("test", move || {
            // The spawner narrows the affinity right after the spawn.
            std::thread::sleep(std::time::Duration::from_millis(20));
            // SAFETY: plain data, and a set of the size given.
            let set = unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::sched_getaffinity(0, size, &mut set);
                set
            };
            (current_cpu(), unsafe { libc::CPU_ISSET(here, &set) })
        })
        .unwrap();
        assert_eq!(handle.thread().name(), Some("test"));
        let (cpu, may_run_here) = handle.join().unwrap();
        // The spawner may itself have moved meanwhile: its CPU at the spawn
        // is the one the helper keeps off.
        assert!(!may_run_here, "the helper may still run on CPU {here}");
        assert_ne!(cpu, Some(here));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_new_thread_leaves_its_spawners_cpu_and_keeps_its_affinity() {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: plain data, and sets of the size given.
        let allowed = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            assert_eq!(libc::sched_getaffinity(0, size, &mut set), 0);
            set
        };
        if unsafe { libc::CPU_COUNT(&allowed) } < 2 {
            eprintln!("SKIPPED: one CPU only");
            return;
        }
        let here = current_cpu();
        let (cpu, after) = std::thread::spawn(move || {
            leave_cpu(here);
            let cpu = current_cpu();
            // SAFETY: as above.
            let after = unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::sched_getaffinity(0, size, &mut set);
                set
            };
            (cpu, after)
        })
        .join()
        .unwrap();
        assert_ne!(cpu, here, "still on the spawner's CPU");
        assert!(
            unsafe { libc::CPU_EQUAL(&after, &allowed) },
            "affinity not restored"
        );
    }

    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        for threads in [1, 2, 3] {
            let (m, out) = map_while(&items, threads, || "first", |x| x * 2);
            assert_eq!(m, "first");
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
            assert!(map(&[] as &[u8], threads, |_| 1).is_empty());
        }
    }
}
