//! The benchmark floor: read every column of a Parquet file once with a
//! bare DataFusion query (decode all rows, compute nothing) and print the
//! row count. `cargo run --release --example floor -- FILE.parquet`.

use datafusion::prelude::{ParquetReadOptions, SessionContext};
use futures::StreamExt;

#[tokio::main]
async fn main() -> datafusion::error::Result<()> {
    let path = std::env::args().nth(1).expect("usage: floor FILE.parquet");
    let ctx = SessionContext::new();
    ctx.register_parquet("t", &path, ParquetReadOptions::default())
        .await?;
    let mut stream = ctx.table("t").await?.execute_stream().await?;
    let mut rows = 0usize;
    while let Some(batch) = stream.next().await {
        rows += batch?.num_rows();
    }
    println!("{rows} rows");
    Ok(())
}
