//! The guided demo (`d`): a scenario preset, played by the same player as
//! `--scenario`: offload on rayon, then inline, then offload again, ten
//! seconds each, with a caption saying what happens and what to watch. It
//! swaps only the backend, so it runs on whatever workload is loaded.

use std::time::Instant;

use crate::engine::command::Command;
use crate::metrics::snapshot::ConfigView;
use crate::scenario::Scenario;
use crate::scenario::error::ScenarioError;
use crate::session::playback::Playback;
use crate::spec::LoadMode;

/// The name the caption row and the header show while the demo plays.
pub const DEMO_NAME: &str = "demo";

/// The preset, in the scenario file format.
pub const GUIDED_DEMO: &str = r#"
name = "guided demo"
description = "Offload, inline, offload again: what blocking the async runtime looks like"
duration = 30.0

[[step]]
at = 0.0
backend = "rayon"
caption = "offload: the CPU work runs on the rayon-N threads · watch: Runtime health should read HEALTHY with low heartbeat lag; rayon threads busy, app threads idle"

[[step]]
at = 10.0
backend = "inline"
caption = "inline: the same work runs on the app runtime's workers (the anti-pattern) · watch: heartbeat lag should jump, health turn STARVED, blocked events count up"

[[step]]
at = 20.0
backend = "rayon"
caption = "offload again: back on rayon · watch: health should recover to HEALTHY within a second or two; the throughput marker shows the swap"
"#;

/// Closed loops below this many tasks in flight are raised to it, so every
/// worker has work and the starvation shows.
const DEMO_MIN_INFLIGHT: usize = 4;

/// The demo ready to play from `now`, and the commands that first make sure
/// work flows (start after a stop, enough tasks in flight).
pub fn start(now: Instant, config: &ConfigView) -> Result<(Playback, Vec<Command>), ScenarioError> {
    let scenario = Scenario::parse(GUIDED_DEMO, "guided demo")?;
    let mut commands = Vec::new();
    if !config.running {
        commands.push(Command::Start);
    }
    if config.paused {
        commands.push(Command::Pause { paused: false });
    }
    if let LoadMode::Closed { inflight } = config.load
        && inflight < DEMO_MIN_INFLIGHT
    {
        commands.push(Command::SetLoad {
            load: LoadMode::Closed {
                inflight: DEMO_MIN_INFLIGHT,
            },
        });
    }
    let run = Playback::new(scenario, now).named(DEMO_NAME);
    Ok((run, commands))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::spec::BackendKind;

    #[test]
    fn the_preset_swaps_offload_inline_offload_on_time() {
        let t0 = Instant::now();
        let config = ConfigView {
            backend: BackendKind::Channel,
            load: LoadMode::Closed { inflight: 1 },
            running: true,
            ..ConfigView::default()
        };
        let (mut run, first) = start(t0, &config).expect("the preset parses");
        assert_eq!(
            first,
            vec![Command::SetLoad {
                load: LoadMode::Closed { inflight: 4 }
            }]
        );
        let backend = |b| Command::SetBackend { backend: b };
        // The engine's commands due by `at` seconds, captions aside.
        let mut due = |at: u64| -> Vec<Command> {
            run.advance(t0 + Duration::from_secs(at))
                .into_iter()
                .filter(|c| !matches!(c, Command::Caption { .. }))
                .collect()
        };
        assert_eq!(due(0), vec![backend(BackendKind::Rayon)]);
        assert!(due(9).is_empty());
        assert_eq!(due(10), vec![backend(BackendKind::Inline)]);
        assert_eq!(due(25), vec![backend(BackendKind::Rayon)]);
        assert_eq!(run.progress(), (3, 3));
        assert!(
            run.caption()
                .is_some_and(|c| c.starts_with("offload again"))
        );
        assert!(!run.is_over(t0 + Duration::from_secs(29)));
        assert!(run.is_over(t0 + Duration::from_secs(30)));
        assert_eq!(run.name(), DEMO_NAME);
    }
}
