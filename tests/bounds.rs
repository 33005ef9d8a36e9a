//! The engine's own intake: commands that slipped past the keys, the form and
//! the scenario checks are refused by the engine itself, which keeps running.

use std::time::Duration;

use loadlab::engine::command::Command;
use loadlab::engine::controller::Controller;
use loadlab::engine::{Engine, EngineConfig};
use loadlab::spec::{BackendKind, Kernel, LoadMode, RunLimit, WorkloadSpec};

#[test]
fn out_of_bounds_commands_are_refused_and_the_engine_keeps_its_config() {
    let engine = Engine::start(EngineConfig {
        backend: BackendKind::SpawnBlocking,
        threads: 2,
        limit: RunLimit::Unbounded,
        load: LoadMode::Closed { inflight: 4 },
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    })
    .expect("engine");
    let hostile = [
        Command::SetThreads {
            threads: i64::MAX as usize,
        },
        Command::SetThreads { threads: 3000 },
        Command::SetLoad {
            load: LoadMode::Closed {
                inflight: i64::MAX as usize,
            },
        },
        Command::SetLoad {
            load: LoadMode::Open { rate: 1e300 },
        },
        Command::SetLoad {
            load: LoadMode::Open { rate: f64::NAN },
        },
        Command::SetWorkload {
            workload: WorkloadSpec {
                kernel: Kernel::Argon2,
                size: 4_194_304,
                ..WorkloadSpec::default()
            },
        },
    ];
    for command in hostile {
        let refused = engine.apply(command.clone());
        assert!(refused.is_err(), "{command:?} must be refused");
        let reason = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(reason.contains("outside"), "{command:?}: {reason}");
    }
    let config = engine
        .fresh_snapshot()
        .unwrap_or_else(|e| panic!("{e}"))
        .config
        .clone();
    assert_eq!(config.threads, 2);
    assert_eq!(config.load, LoadMode::Closed { inflight: 4 });
    assert_eq!(config.workload, WorkloadSpec::default());
    // Still within bounds: accepted.
    let accepted = engine.apply(Command::SetThreads { threads: 3 });
    assert!(accepted.is_ok(), "{accepted:?}");
    engine.shutdown(Duration::from_millis(500));
}
