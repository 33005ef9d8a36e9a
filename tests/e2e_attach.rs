//! End to end: `loadlab attach` in a tmux pane, watching a `loadlab serve`
//! this test starts, with a probe of its /health. Reads the screen (the
//! target's pools, the verdict, the probe's line), opens `?` (the keys that
//! work attached, no engine keys), presses an engine key (it says why it does
//! nothing), quits with `q` and checks the terminal came back.
//! Fails when tmux is not installed (`.ci/run` installs it).

mod support_targets;
mod support_tmux;

use std::process::Stdio;
use std::time::Duration;

use support_targets::{Target, drain, loadlab_serve};
use support_tmux::{Tmux, binary, exit_status, require_tmux, sh_quote};

#[test]
fn attach_dashboard_in_tmux_shows_pools_and_verdict_and_quits_cleanly() {
    require_tmux();
    let (child, stderr, address) = loadlab_serve(
        &["--runtime-workers", "2", "--duration", "120"],
        Stdio::null(),
    );
    drain(stderr);
    let target = Target(child);
    let tmux = Tmux::start(120, 40);
    tmux.type_line(&format!(
        "NO_COLOR=1 {} attach {} --probe http://{address}/health; echo EXIT=$?",
        sh_quote(&binary()),
        target.pid()
    ));
    let screen = tmux.wait_for("the attach dashboard", Duration::from_secs(30), |s| {
        assert!(exit_status(s).is_none(), "attach exited early:\n{s}");
        // The first answers turn `UNKNOWN` into a verdict.
        s.contains("app ·") && (s.contains("HEALTHY") || s.contains("STARVED"))
    });
    assert!(
        screen.contains(&format!("pid {}", target.pid())),
        "{screen}"
    );
    assert!(screen.contains("probe p99"), "{screen}");
    assert!(
        screen.contains(&format!("GET http://{address}/health")),
        "{screen}"
    );
    for engine_only in ["Throughput", "Latency"] {
        assert!(!screen.contains(engine_only), "{engine_only}:\n{screen}");
    }

    tmux.press("?");
    let help = tmux.wait_for("the help overlay", Duration::from_secs(5), |s| {
        s.contains(" Keys ") && s.contains("this help")
    });
    for works in ["Tab / arrows", "q / Ctrl-C", "wait%"] {
        assert!(help.contains(works), "help lacks {works}:\n{help}");
    }
    for engine_only in ["b / B", "+ / -", "workload form"] {
        assert!(
            !help.contains(engine_only),
            "help lists {engine_only}:\n{help}"
        );
    }
    tmux.press_named("Escape");
    tmux.wait_for("the help closed", Duration::from_secs(5), |s| {
        !s.contains(" Keys ")
    });

    tmux.press("b");
    tmux.wait_for("why b does nothing", Duration::from_secs(5), |s| {
        s.contains("loadlab runs no work here")
    });

    tmux.press("q");
    assert_eq!(tmux.wait_for_exit("q", Duration::from_secs(10)), "0");
    tmux.assert_terminal_restored();
}
