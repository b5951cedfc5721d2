//! `rt completions SHELL`: a completion script for the shell, on stdout (clap_complete).
use clap::CommandFactory;
use clap_complete::Shell;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(after_help = "Install, for example:\n  \
bash: rt completions bash > ~/.local/share/bash-completion/completions/rt\n  \
zsh:  rt completions zsh > ~/.zfunc/_rt   (with ~/.zfunc in $fpath)\n  \
fish: rt completions fish > ~/.config/fish/completions/rt.fish")]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "rt", &mut out);
    super::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
