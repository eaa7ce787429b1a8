// `sqlx::migrate!` embeds the migrations at compile time; without this, a new migration file
// alone does not rebuild the crate and the binaries keep the old set.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
