//! `rt man`: manual pages for `rt` and each subcommand (clap_mangen), from the same
//! definitions as `--help`, so the two never disagree.
use clap::CommandFactory;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write rt.1 and rt-SUBCOMMAND.1 for every subcommand into this directory (created if
    /// missing) instead of printing rt(1) on stdout
    #[arg(long = "dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cmd = super::Cli::command();
    let Some(dir) = args.dir else {
        super::write_stdout(&page(cmd.clone())?)?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let mut pages = vec![("rt.1".to_string(), page(cmd.clone())?)];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        // A subcommand's page is named and titled as `rt-NAME`, as git and cargo do.
        let name = format!("rt-{}", sub.get_name());
        let sub = sub.clone().name(name.clone()).display_name(name.clone());
        pages.push((format!("{name}.1"), page(sub)?));
    }
    for (file, text) in pages {
        let path = dir.join(&file);
        crate::output::write_atomically(&path, &text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn page(cmd: clap::Command) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    Ok(out)
}
