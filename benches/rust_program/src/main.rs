//! A real Rust program for the compile bench (benches/compile.rs): serde_json and regex,
//! 1.4 MB of wasm32-wasip1. It makes N records, writes them as JSON, reads them back,
//! matches every name with a regex and sorts them: `rt-bench-rust N` (the bench uses 400000).
use regex::Regex;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Record {
    id: u64,
    name: String,
    tags: Vec<String>,
    score: f64,
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let records: Vec<Record> = (0..n)
        .map(|id| Record {
            id,
            name: format!("user-{:x}@host{}.example", next() % 1_000_000, next() % 97),
            tags: (0..next() % 5)
                .map(|t| format!("tag{}", (next() + t) % 50))
                .collect(),
            score: (next() % 10_000) as f64 / 7.0,
        })
        .collect();
    let text = serde_json::to_string(&records).unwrap();
    let mut back: Vec<Record> = serde_json::from_str(&text).unwrap();
    let email = Regex::new(r"^user-([0-9a-f]+)@host(\d+)\.example$").unwrap();
    let mut matched = 0u64;
    for r in &back {
        if let Some(c) = email.captures(&r.name) {
            matched += u64::from_str_radix(&c[1], 16).unwrap() % 7 + c[2].parse::<u64>().unwrap();
        }
    }
    back.sort_by(|a, b| b.score.partial_cmp(&a.score).unwrap().then(a.id.cmp(&b.id)));
    let tags: usize = back.iter().map(|r| r.tags.len()).sum();
    println!(
        "{} bytes of JSON, {} records, {} tags, checksum {}, top id {}",
        text.len(),
        back.len(),
        tags,
        matched,
        back[0].id
    );
}
