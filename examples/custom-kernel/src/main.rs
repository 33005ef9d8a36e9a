//! Bring your own code: register a kernel of your own, then hand control to
//! loadlab's command line, so the dashboard, `run`, `demo starvation` and
//! `sweep` all measure it.
//!
//! The kernel, `orders-json`, does what a web service does all day: it
//! generates a JSON document of `size` orders and parses it with serde_json
//! into typed structs, then totals what was paid.
//!
//! ```text
//! cargo run --release -p custom-kernel -- run --workload orders-json --tasks 100 --format json
//! cargo run --release -p custom-kernel -- sweep --workload orders-json --duration 1
//! cargo run --release -p custom-kernel -- list
//! ```

use std::fmt::Write as _;
use std::process::ExitCode;

use loadlab::{CustomKernel, register_kernel};
use serde::Deserialize;

/// Items per order.
const ITEMS: usize = 3;

/// The bytes of one order as generated: numbers are padded with spaces to a
/// fixed width (valid JSON), so a document's length follows from its size.
const ORDER_BYTES: u64 = 216;

#[derive(Deserialize)]
struct Order {
    id: u64,
    customer: String,
    items: Vec<Item>,
    paid: u8,
}

#[derive(Deserialize)]
struct Item {
    sku: String,
    quantity: u32,
    cents: u64,
}

/// A small, fast, deterministic generator (splitmix64).
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A JSON array of `orders` orders drawn from `seed`.
fn generate(orders: u64, seed: u64) -> String {
    let mut numbers = Numbers(seed);
    let mut doc = String::with_capacity(document_bytes(orders) as usize);
    doc.push('[');
    for id in 0..orders {
        if id > 0 {
            doc.push(',');
        }
        let customer = numbers.next() as u32;
        let _ = write!(
            doc,
            r#"{{"id":{id:>10},"customer":"cust-{customer:08x}","items":["#
        );
        for item in 0..ITEMS {
            if item > 0 {
                doc.push(',');
            }
            let sku = numbers.next() as u32 & 0xFF_FFFF;
            let quantity = numbers.next() % 20 + 1;
            let cents = numbers.next() % 100_000;
            let _ = write!(
                doc,
                r#"{{"sku":"sku-{sku:06x}","quantity":{quantity:>3},"cents":{cents:>6}}}"#
            );
        }
        let paid = u8::from(!numbers.next().is_multiple_of(4));
        let _ = write!(doc, r#"],"paid":{paid}}}"#);
    }
    doc.push(']');
    doc
}

/// The length of a generated document of `orders` orders.
fn document_bytes(orders: u64) -> u64 {
    2 + orders * ORDER_BYTES + orders.saturating_sub(1)
}

/// Parses the document and folds what was paid into a digest. A document that
/// does not parse is a bug worth seeing: the panic fails the task, and loadlab
/// counts and reports it.
fn parse_and_total(orders: u64, seed: u64) -> u64 {
    let doc = generate(orders, seed);
    debug_assert_eq!(doc.len() as u64, document_bytes(orders));
    let parsed: Vec<Order> = match serde_json::from_str(&doc) {
        Ok(parsed) => parsed,
        Err(error) => panic!("generated JSON did not parse: {error}"),
    };
    parsed
        .iter()
        .filter(|order| order.paid == 1)
        .fold(0u64, |digest, order| {
            let total: u64 = order
                .items
                .iter()
                .map(|item| u64::from(item.quantity) * item.cents + item.sku.len() as u64)
                .sum();
            (digest ^ order.id ^ order.customer.len() as u64)
                .rotate_left(7)
                .wrapping_add(total)
        })
}

fn main() -> ExitCode {
    let kernel = CustomKernel::new("orders-json", "orders per JSON document", parse_and_total)
        // About a millisecond per task on one core of a small VM (release build).
        .default_size(1_000)
        // 100 000 orders is a 21 MB document per task.
        .max_size(100_000)
        .input_bytes(document_bytes);
    if let Err(error) = register_kernel(kernel) {
        eprintln!("custom-kernel: {error}");
        return ExitCode::FAILURE;
    }
    loadlab::app::main()
}
