//! Who calls whom inside a module, read from each function body with `Module::operators`.
//!
//! Only direct calls are edges. `call_indirect` (and `call_ref`) sites are counted per
//! function because their callee is unknown statically; functions placed in a table or named
//! by `ref.func` are recorded as reachable that way.
use crate::module::{ElementItems, ExternKind, Module, ParseError};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use wasmparser::Operator;

#[derive(Debug, Default)]
pub struct CallGraph {
    /// For every function index, the functions that call it directly (sorted, unique).
    callers: Vec<Vec<u32>>,
    /// The same edges the other way: the functions each function calls directly.
    callees: Vec<Vec<u32>>,
    /// Function index -> byte offsets of its indirect call sites.
    indirect_sites: BTreeMap<u32, Vec<usize>>,
    /// Functions whose reference escapes (element segments, `ref.func`).
    address_taken: BTreeSet<u32>,
    /// Exported functions and the start function: where chains end.
    roots: BTreeMap<u32, ChainEnd>,
    /// For every function, its first step on a shortest route to a root (or table entry).
    routes: Vec<Option<Route>>,
}

/// How a chain of callers ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainEnd {
    /// At an exported function: its export name.
    Export(String),
    /// At the module's start function.
    Start,
    /// At a function only reached through a table: some `call_indirect` may call it.
    Indirect,
    /// At a function nothing calls and nothing exports.
    Orphan,
}

impl CallGraph {
    pub fn build(module: &Module) -> Result<CallGraph, ParseError> {
        // Sized for every body too, in case an unvalidated module has more bodies than
        // declared functions.
        let bodies = module.num_imported_funcs as usize + module.code.len();
        let n = (module.num_funcs() as usize).max(bodies);
        let mut graph = CallGraph {
            callers: vec![Vec::new(); n],
            ..CallGraph::default()
        };
        for (i, code) in module.code.iter().enumerate() {
            let caller = module.num_imported_funcs + i as u32;
            let mut reader = module.operators(code);
            while !reader.eof() {
                let (op, offset) = reader.read_with_offset()?;
                match op {
                    Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                        if let Some(list) = graph.callers.get_mut(function_index as usize) {
                            list.push(caller);
                        }
                    }
                    Operator::CallIndirect { .. }
                    | Operator::ReturnCallIndirect { .. }
                    | Operator::CallRef { .. }
                    | Operator::ReturnCallRef { .. } => {
                        let sites = graph.indirect_sites.entry(caller).or_default();
                        sites.push(offset as usize);
                    }
                    Operator::RefFunc { function_index } => {
                        graph.address_taken.insert(function_index);
                    }
                    _ => {}
                }
            }
        }
        for list in &mut graph.callers {
            list.sort_unstable();
            list.dedup();
        }
        for seg in &module.elements {
            if let ElementItems::Functions(funcs) = &seg.items {
                graph.address_taken.extend(funcs.iter().copied());
            }
        }
        for e in module.exports.iter().filter(|e| e.kind == ExternKind::Func) {
            let export = ChainEnd::Export(e.name.clone());
            graph.roots.entry(e.index).or_insert(export);
        }
        if let Some(start) = module.start {
            graph.roots.entry(start).or_insert(ChainEnd::Start);
        }
        graph.callees = vec![Vec::new(); n];
        for (callee, list) in graph.callers.iter().enumerate() {
            for &caller in list {
                graph.callees[caller as usize].push(callee as u32);
            }
        }
        graph.routes = compute_routes(&graph.callees, &graph.roots, &graph.address_taken);
        Ok(graph)
    }

    pub fn callers(&self, func: u32) -> &[u32] {
        self.callers
            .get(func as usize)
            .map_or(&[], |v| v.as_slice())
    }

    /// Everything `func` reaches through direct calls (itself included), in index order,
    /// and whether any of it makes an indirect call (whose targets are not followed).
    pub fn reachable(&self, func: u32) -> (Vec<u32>, bool) {
        let mut seen = BTreeSet::from([func]);
        let mut queue = VecDeque::from([func]);
        while let Some(f) = queue.pop_front() {
            for &callee in self
                .callees
                .get(f as usize)
                .map_or(&[][..], |v| v.as_slice())
            {
                if seen.insert(callee) {
                    queue.push_back(callee);
                }
            }
        }
        let indirect = seen.iter().any(|f| self.indirect_sites.contains_key(f));
        (seen.into_iter().collect(), indirect)
    }

    /// Functions with indirect call sites, and the byte offsets of those sites.
    pub fn indirect_sites(&self) -> &BTreeMap<u32, Vec<usize>> {
        &self.indirect_sites
    }

    pub fn is_address_taken(&self, func: u32) -> bool {
        self.address_taken.contains(&func)
    }

    /// The shortest chain of callers from `func` up to an export or the start function
    /// (`func` first). Without one, the shortest chain to a function reached through a table;
    /// without that, callers followed upwards until one that nothing calls.
    pub fn chain_to_root(&self, func: u32) -> (Vec<u32>, ChainEnd) {
        let mut chain = vec![func];
        if let Some(route) = self.routes.get(func as usize).copied().flatten() {
            let mut at = func;
            let mut next = route.next;
            while let Some(n) = next {
                chain.push(n);
                at = n;
                next = self.routes[n as usize].and_then(|r| r.next);
            }
            let end = match self.roots.get(&at) {
                Some(root) if route.via_root => root.clone(),
                _ => ChainEnd::Indirect,
            };
            return (chain, end);
        }
        let mut seen = BTreeSet::from([func]);
        let mut at = func;
        while let Some(&caller) = self.callers(at).iter().find(|c| !seen.contains(c)) {
            seen.insert(caller);
            chain.push(caller);
            at = caller;
        }
        (chain, ChainEnd::Orphan)
    }
}

/// One step of a precomputed shortest route from a function up to where chains end.
#[derive(Debug, Clone, Copy)]
struct Route {
    /// The caller one step closer; `None` at the route's end.
    next: Option<u32>,
    /// Whether the route ends at an export or the start function (else at a table entry).
    via_root: bool,
}

/// Shortest routes for every function at once: a breadth-first walk down the call edges
/// from every export and the start function, then from table entries for what is left.
/// One pass over the graph, however many chains are asked for later.
fn compute_routes(
    callees: &[Vec<u32>],
    roots: &BTreeMap<u32, ChainEnd>,
    address_taken: &BTreeSet<u32>,
) -> Vec<Option<Route>> {
    let n = callees.len();
    let mut routes: Vec<Option<Route>> = vec![None; n];
    let sources = [
        (true, roots.keys().copied().collect::<Vec<u32>>()),
        (false, address_taken.iter().copied().collect()),
    ];
    for (via_root, starts) in sources {
        let mut queue = VecDeque::new();
        for f in starts.into_iter().filter(|&f| (f as usize) < n) {
            if routes[f as usize].is_none() {
                routes[f as usize] = Some(Route {
                    next: None,
                    via_root,
                });
                queue.push_back(f);
            }
        }
        while let Some(f) = queue.pop_front() {
            for &callee in &callees[f as usize] {
                if routes[callee as usize].is_none() {
                    routes[callee as usize] = Some(Route {
                        next: Some(f),
                        via_root,
                    });
                    queue.push_back(callee);
                }
            }
        }
    }
    routes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(wat: &str) -> (Module, CallGraph) {
        let bytes = crate::module::wat_to_wasm("test.wat", wat).expect("valid wat");
        let module = Module::parse(bytes).expect("parses");
        let graph = CallGraph::build(&module).expect("reads code");
        (module, graph)
    }

    const WAT: &str = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (type $t (func))
      (table 1 funcref)
      (elem (i32.const 0) $via_table)
      (func $wrapper (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)) drop)
      (func $middle call $wrapper)
      (func $start (export "_start") call $middle call $wrapper (call_indirect (type $t) (i32.const 0)))
      (func $via_table call $wrapper)
      (func $hidden call $middle)
      (func $orphan_caller call $lonely)
      (func $lonely))"#;

    #[test]
    fn direct_callers_and_shortest_chain_to_export() {
        let (_, g) = graph(WAT);
        assert_eq!(g.callers(0), [1]);
        assert_eq!(g.callers(1), [2, 3, 4]);
        let (chain, end) = g.chain_to_root(1);
        assert_eq!(chain, [1, 3]);
        assert_eq!(end, ChainEnd::Export("_start".into()));
        assert_eq!(
            g.chain_to_root(2),
            (vec![2, 3], ChainEnd::Export("_start".into()))
        );
    }

    #[test]
    fn reachable_follows_direct_calls_and_notes_indirect_ones() {
        let (_, g) = graph(WAT);
        assert_eq!(g.reachable(2), (vec![0, 1, 2], false));
        assert_eq!(g.reachable(3), (vec![0, 1, 2, 3], true));
        assert_eq!(g.reachable(7), (vec![7], false));
    }

    #[test]
    fn indirect_sites_and_table_entries() {
        let (_, g) = graph(WAT);
        assert_eq!(g.indirect_sites().keys().copied().collect::<Vec<_>>(), [3]);
        assert!(g.is_address_taken(4));
        assert!(!g.is_address_taken(2));
        assert_eq!(g.chain_to_root(4), (vec![4], ChainEnd::Indirect));
    }

    #[test]
    fn functions_nobody_reaches_are_orphans() {
        let (_, g) = graph(WAT);
        assert_eq!(g.chain_to_root(5), (vec![5], ChainEnd::Orphan));
        assert_eq!(g.chain_to_root(7), (vec![7, 6], ChainEnd::Orphan));
        assert_eq!(g.callers(7), [6]);
    }
}
