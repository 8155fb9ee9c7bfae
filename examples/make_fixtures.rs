//! Writes the bundled fixtures under `fixtures/` from literal, deterministic
//! data: `cargo run --release --example make_fixtures`. The files are
//! committed; this program is how they were made and how to remake them.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::ipc::writer::FileWriter;
use datafusion::parquet::arrow::ArrowWriter;

/// A small linear congruential generator: the same numbers on every machine.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

const ROWS: usize = 1000;
/// 2026-10-01T00:00:00Z in microseconds.
const T0: i64 = 1_790_812_800_000_000;

fn features(defects: bool) -> RecordBatch {
    let mut g = Lcg(42);
    let mut id: Vec<i64> = (1..=ROWS as i64).collect();
    let mut price: Vec<Option<f64>> = Vec::new();
    let mut qty: Vec<i32> = Vec::new();
    let mut category: Vec<Option<&str>> = Vec::new();
    let mut country: Vec<String> = Vec::new();
    let mut email: Vec<Option<String>> = Vec::new();
    let mut created: Vec<i64> = Vec::new();
    let mut active: Vec<bool> = Vec::new();
    let mut score: Vec<f64> = Vec::new();
    for i in 0..ROWS {
        let p = 10.0 + g.unit() * 10.0;
        price.push(if i % 200 == 7 {
            None
        } else {
            Some((p * 100.0).round() / 100.0)
        });
        qty.push((g.next() % 20) as i32 + 1);
        category.push(Some(["a", "b", "c"][(g.next() % 3) as usize]));
        country.push(["FR", "DE", "ES", "IT", "NL"][(g.next() % 5) as usize].to_string());
        email.push(Some(format!("user{i}@example.com")));
        created.push(T0 + (i as i64) * 3_600_000_000);
        active.push(g.next() % 4 != 0);
        score.push((g.unit() * 1000.0).round() / 1000.0);
    }
    if defects {
        // One planted defect per check type of expectations/features.yml.
        id[10] = id[11]; // unique
        price[20] = Some(-5.0); // min >= 0
        for p in price.iter_mut().take(40).skip(30) {
            *p = None; // null_rate > 1%
        }
        category[50] = Some("z"); // in_set
        email[60] = Some("not-an-email".into()); // regex
        country[70] = "FRANCE".into(); // length
        qty[80] = 100_000; // sum and mean drift
        created[90] = T0 + 400 * 86_400_000_000; // max timestamp in the future
        score[95] = f64::NAN; // nan_rate
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("price", DataType::Float64, true),
        Field::new("qty", DataType::Int32, false),
        Field::new("category", DataType::Utf8, true),
        Field::new("country", DataType::Utf8, false),
        Field::new("email", DataType::Utf8, true),
        Field::new(
            "created_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        Field::new("is_active", DataType::Boolean, false),
        Field::new("score", DataType::Float64, false),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(id)),
        Arc::new(Float64Array::from(price)),
        Arc::new(Int32Array::from(qty)),
        Arc::new(StringArray::from(category)),
        Arc::new(StringArray::from(country)),
        Arc::new(StringArray::from(email)),
        Arc::new(TimestampMicrosecondArray::from(created).with_timezone("UTC")),
        Arc::new(BooleanArray::from(active)),
        Arc::new(Float64Array::from(score)),
    ];
    RecordBatch::try_new(schema, cols).expect("valid batch")
}

/// Column names that break naive SQL splicing.
fn weird_names() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("order", DataType::Int64, false),
        Field::new("Price (EUR)", DataType::Float64, true),
        Field::new("a\"b", DataType::Utf8, true),
        Field::new("x; drop table t", DataType::Int64, true),
        Field::new("prénom", DataType::Utf8, true),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![1, 2, 3, 4])),
        Arc::new(Float64Array::from(vec![
            Some(9.5),
            Some(12.0),
            None,
            Some(7.25),
        ])),
        Arc::new(StringArray::from(vec![
            Some("x"),
            Some("y"),
            Some("x"),
            None,
        ])),
        Arc::new(Int64Array::from(vec![
            Some(10),
            Some(20),
            Some(30),
            Some(40),
        ])),
        Arc::new(StringArray::from(vec!["Zoé", "Émile", "Ana", "Bjørn"])),
    ];
    RecordBatch::try_new(schema, cols).expect("valid batch")
}

/// Edge cases: empty table, all-null column, int64 sum past i64::MAX, NaN.
fn edge(rows: usize) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("big", DataType::Int64, true),
        Field::new("nothing", DataType::Float64, true),
        Field::new("x", DataType::Float64, true),
        Field::new("name", DataType::Utf8, true),
    ]));
    let big: Vec<i64> = (0..rows).map(|_| i64::MAX / 2 + 1).collect();
    let x: Vec<f64> = [1.0, f64::NAN, 3.0, 5.0]
        .iter()
        .copied()
        .cycle()
        .take(rows)
        .collect();
    let names: Vec<&str> = ["a", "b", "c", "d"]
        .iter()
        .copied()
        .cycle()
        .take(rows)
        .collect();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(big)),
        Arc::new(Float64Array::from(vec![None::<f64>; rows])),
        Arc::new(Float64Array::from(x)),
        Arc::new(StringArray::from(names)),
    ];
    RecordBatch::try_new(schema, cols).expect("valid batch")
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = fs::File::create(path).expect("create");
    let mut w = ArrowWriter::try_new(file, batch.schema(), None).expect("writer");
    w.write(batch).expect("write");
    w.close().expect("close");
}

fn main() {
    let dir = Path::new("fixtures");
    fs::create_dir_all(dir.join("hive/region=eu")).expect("dirs");
    fs::create_dir_all(dir.join("hive/region=us")).expect("dirs");
    write_parquet(&dir.join("features.parquet"), &features(false));
    write_parquet(&dir.join("features_defects.parquet"), &features(true));
    write_parquet(&dir.join("weird_names.parquet"), &weird_names());
    write_parquet(&dir.join("edge.parquet"), &edge(4));
    write_parquet(&dir.join("empty.parquet"), &edge(0));
    let f = features(false);
    write_parquet(&dir.join("hive/region=eu/part-0.parquet"), &f.slice(0, 600));
    write_parquet(
        &dir.join("hive/region=us/part-0.parquet"),
        &f.slice(600, 400),
    );
    let file = fs::File::create(dir.join("features.arrow")).expect("create");
    let mut w = FileWriter::try_new(file, &f.schema()).expect("ipc");
    w.write(&f).expect("write");
    w.finish().expect("finish");
    fs::write(
        dir.join("corrupt.parquet"),
        b"PAR1 this is not a parquet file PAR1",
    )
    .expect("write");
    fs::write(
        dir.join("orders.csv"),
        "order_id,customer,amount,status\n1,ana,12.50,paid\n2,bob,7.00,paid\n3,cy,,refunded\n4,dee,40.25,paid\n",
    )
    .expect("write");
    fs::write(
        dir.join("orders_no_header.txt"),
        "1;ana;12.50\n2;bob;7.00\n3;'c;y';1.25\n",
    )
    .expect("write");
    fs::write(
        dir.join("ragged.csv"),
        "order_id,customer,amount\n1,ana,12.50\n2,bob\n3,cy,1.0,extra\n",
    )
    .expect("write");
    fs::write(
        dir.join("events.ndjson"),
        "{\"user\":\"ana\",\"clicks\":3}\n{\"user\":\"bob\",\"clicks\":5}\n{\"user\":null,\"clicks\":1}\n",
    )
    .expect("write");
    println!("fixtures written under {}", dir.display());
}
