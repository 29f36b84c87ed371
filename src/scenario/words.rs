//! Keys whose values are words: each enum declares its words once, and the parser, the
//! JSON Schema, `new` and every output read them from the enum.
//!
//! Owns the `words!` macro and the word enums of a scenario; it knows nothing of TOML.

/// Declares an enum whose variants are written as the given words, with `ALL`, `NAMES`,
/// `name` and `from_name` generated from one list, so a word and its variant cannot drift.
#[macro_export]
macro_rules! words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order the words are listed.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// Every word, in the same order as `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($word,)+];

            /// The word a person writes for this value.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// The value a word stands for.
            pub fn from_name(word: &str) -> Option<Self> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

words! {
    /// How consumers take items: the blog's polling loop, or a blocking take.
    pub enum ConsumerStyle {
        /// Non-blocking take, counted when taken, then wait one consume time, item or not.
        Poll = "poll",
        /// Blocking take, then work for the item's consume time, then count it.
        Block = "block",
    }
}

words! {
    /// The `queue` key: whether producers block at a capacity (the capacity is its own key).
    pub enum QueueBound {
        Unbounded = "unbounded",
        Bounded = "bounded",
    }
}

words! {
    /// The queue's implementation, so the same scenario can compare what each costs.
    pub enum QueueImpl {
        /// `crossbeam-channel`: lock-free, the default.
        Crossbeam = "crossbeam",
        /// `std::sync::mpsc`, its single receiver shared by the consumers behind a mutex.
        Std = "std",
        /// `Mutex<VecDeque>` with condition variables, as Python's `queue.Queue` is built.
        Mutex = "mutex",
        /// `flume`: a `VecDeque` behind a lock, with waiting senders and receivers queued
        /// as hooks.
        Flume = "flume",
        /// `kanal`: a `VecDeque` behind its own spinning mutex; a waiting receiver is
        /// handed an item directly.
        Kanal = "kanal",
    }
}

words! {
    /// What a produce or consume time is spent doing.
    pub enum WorkKind {
        /// `thread::sleep`: waiting, like I/O; threads do not compete for cores.
        Sleep = "sleep",
        /// Burning that much CPU time: threads compete for the machine's cores.
        Spin = "spin",
    }
}

impl QueueImpl {
    /// Whether it can hand an item over without holding it (capacity 0): every channel
    /// can (`bounded(0)` or `sync_channel(0)`), a `Mutex<VecDeque>` cannot (Python's
    /// `maxsize=0` means unbounded instead).
    pub fn has_rendezvous(self) -> bool {
        self != QueueImpl::Mutex
    }

    /// The words of the implementations that have a rendezvous, for messages.
    pub fn with_rendezvous() -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|q| q.has_rendezvous())
            .map(|q| q.name())
            .collect()
    }
}

/// The words of a list, quoted and joined for messages: `"poll" or "block"`.
pub fn quoted_list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_its_value() {
        for value in QueueImpl::ALL {
            assert_eq!(QueueImpl::from_name(value.name()), Some(*value));
        }
        assert_eq!(
            QueueImpl::NAMES,
            ["crossbeam", "std", "mutex", "flume", "kanal"]
        );
        assert_eq!(
            QueueImpl::with_rendezvous(),
            ["crossbeam", "std", "flume", "kanal"]
        );
        assert_eq!(ConsumerStyle::from_name("Poll"), None, "words are exact");
    }

    #[test]
    fn lists_read_as_a_sentence() {
        assert_eq!(quoted_list(WorkKind::NAMES), "\"sleep\" or \"spin\"");
        assert_eq!(
            quoted_list(QueueImpl::NAMES),
            "\"crossbeam\", \"std\", \"mutex\", \"flume\" or \"kanal\""
        );
    }
}
