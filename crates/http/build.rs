// The web UI is embedded from web/dist by rust-embed, which tells cargo only about the files
// that existed at compile time. Watching the folder makes a build after `npm run build` embed
// the new UI even when this crate was first compiled before the UI existed.
fn main() {
    println!("cargo:rerun-if-changed=../../web/dist");
}
