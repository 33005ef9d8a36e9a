//! (temporary until the files branch lands)
use super::TaskInput;
use std::path::{Path, PathBuf};
pub fn check_root(root: &Path) -> Result<(), String> {
    std::fs::metadata(root)
        .map(|_| ())
        .map_err(|e| format!("--path {}: {e}", root.display()))
}
pub fn spawn_walker(
    _root: PathBuf,
    _repeat: bool,
    _tx: tokio::sync::mpsc::Sender<TaskInput>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("walker".into())
        .spawn(|| {})
}
