//! A thread's name as Snapshots carry it: one shared string per thread, so
//! listing a thread in every Snapshot (and in the sampler's memory of the
//! previous one, and in the dashboard's tracks) copies no text.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ThreadName(Arc<str>);

impl ThreadName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for ThreadName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ThreadName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Arc<str>> for ThreadName {
    fn from(name: Arc<str>) -> ThreadName {
        ThreadName(name)
    }
}

impl From<&str> for ThreadName {
    fn from(name: &str) -> ThreadName {
        ThreadName(Arc::from(name))
    }
}

impl From<String> for ThreadName {
    fn from(name: String) -> ThreadName {
        ThreadName(Arc::from(name))
    }
}

impl PartialEq<str> for ThreadName {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for ThreadName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for ThreadName {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl fmt::Display for ThreadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// In JSON a name is a plain string.
impl Serialize for ThreadName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ThreadName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(ThreadName::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_text_and_json_is_a_plain_string() {
        let name = ThreadName::from("rayon-3");
        let copy = name.clone();
        assert!(std::ptr::eq(name.as_str(), copy.as_str()));
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(json, "\"rayon-3\"");
        let back: ThreadName = serde_json::from_str(&json).unwrap();
        assert_eq!(back, "rayon-3");
    }
}
