//! `--generate-names`: a name for every unnamed item.
use super::read::Module;

pub fn generate(_m: &mut Module<'_>) {}
