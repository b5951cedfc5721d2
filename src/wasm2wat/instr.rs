//! Function bodies: instructions as a tree of blocks (so an empty `else` can be left out, as
//! wabt's IR leaves it out, and `--fold-exprs` can nest operands), printed flat or folded.
use super::out::Next;
use super::{valid_name, Error, Space, Writer};
use crate::module::opnames::text_name;
use crate::objdump::hexfloat::{f32_text, f64_text};
use wasmparser::{BlockType, Operator, ValType};

/// A body instruction, or a block with what it contains.
enum Node<'a> {
    Op(Operator<'a>),
    Block {
        /// block, loop, if, try or try_table.
        head: Operator<'a>,
        body: Vec<Node<'a>>,
        /// `else` (if), `catch`/`catch_all` (legacy try), each with its instructions.
        arms: Vec<(Operator<'a>, Vec<Node<'a>>)>,
        /// `end`, or the `delegate` that ends a legacy try.
        end: Operator<'a>,
        /// The block's position among the body's blocks, in instruction order (what
        /// `--generate-names` numbers labels by, however the body is printed).
        number: u32,
    },
}

/// One frame of wabt's fold stack: an instruction with the operands folded into it.
struct Tree<'n, 'a> {
    node: &'n Node<'a>,
    children: Vec<Tree<'n, 'a>>,
    results: u32,
}

pub(super) struct Body<'w, 'm, 'a> {
    w: &'w mut Writer<'m, 'a>,
    func: Option<u32>,
    /// Block types of the enclosing labels (and whether each is a loop, whose branches
    /// carry its params), innermost last; the function's own first.
    labels: Vec<(BlockType, bool, Option<String>)>,
    /// Labels a branch by name cannot see: an `if`'s own while its folded condition is
    /// printed inside it (the condition came before the `if` in the binary).
    hidden: Vec<usize>,

    /// The function's result count (what `return` and a branch to the function take).
    results: usize,
}

impl<'w, 'm, 'a> Body<'w, 'm, 'a> {
    pub fn new(w: &'w mut Writer<'m, 'a>, func: u32, results: &[ValType]) -> Self {
        Body {
            w,
            func: Some(func),
            labels: vec![(BlockType::Empty, false, None)],
            hidden: Vec::new(),
            results: results.len(),
        }
    }

    /// For constant expressions: no function, no labels.
    pub fn for_const(w: &'w mut Writer<'m, 'a>) -> Self {
        Body {
            w,
            func: None,
            labels: Vec::new(),
            hidden: Vec::new(),
            results: 0,
        }
    }

    pub fn write_body(&mut self, body: &wasmparser::FunctionBody<'a>) -> Result<(), Error> {
        let mut reader = body.get_operators_reader()?;
        let mut ops = Vec::new();
        while !reader.eof() {
            ops.push(reader.read()?);
        }
        // The function's own `end` closes no block of the text.
        if matches!(ops.last(), Some(Operator::End)) {
            ops.pop();
        }
        let mut iter = ops.into_iter();
        let (nodes, _) = build(&mut iter, &mut 0);
        if self.w.opts.fold_exprs {
            let mut stack = Vec::new();
            self.fold_list(&nodes, &mut stack);
            self.flush_stack(&mut stack);
        } else {
            self.nodes(&nodes);
        }
        Ok(())
    }

    fn nodes(&mut self, nodes: &[Node<'a>]) {
        for n in nodes {
            self.node(n);
        }
    }

    fn node(&mut self, n: &Node<'a>) {
        match n {
            Node::Op(op) => self.op(op),
            Node::Block {
                head,
                body,
                arms,
                end,
                number,
            } => {
                self.begin_block(head, *number);
                self.nodes(body);
                for (arm, nodes) in arms {
                    if matches!(arm, Operator::Else) && nodes.is_empty() {
                        continue;
                    }
                    self.arm(arm);
                    self.nodes(nodes);
                }
                self.end_block(end);
            }
        }
    }

    fn block_type(head: &Operator<'a>) -> BlockType {
        match head {
            Operator::Block { blockty }
            | Operator::Loop { blockty }
            | Operator::If { blockty }
            | Operator::Try { blockty } => *blockty,
            Operator::TryTable { try_table } => try_table.ty,
            _ => BlockType::Empty,
        }
    }

    /// `block (result i32)  ;; label = @1`, then one level deeper.
    fn begin_block(&mut self, head: &Operator<'a>, number: u32) {
        let ty = Self::block_type(head);
        self.w.out.space(&text_name(head));
        let label = self.w.opts.generate_names.then(|| {
            let prefix = match head {
                Operator::Block { .. } => 'B',
                Operator::Loop { .. } => 'L',
                Operator::If { .. } => 'I',
                _ => 'T',
            };
            format!("${prefix}{number}")
        });
        if let Some(label) = &label {
            self.w.out.space(label);
        }
        self.block_sig(ty);
        if let Operator::TryTable { try_table } = head {
            for c in &try_table.catches {
                let (name, tag, label) = match *c {
                    wasmparser::Catch::One { tag, label } => ("catch", Some(tag), label),
                    wasmparser::Catch::OneRef { tag, label } => ("catch_ref", Some(tag), label),
                    wasmparser::Catch::All { label } => ("catch_all", None, label),
                    wasmparser::Catch::AllRef { label } => ("catch_all_ref", None, label),
                };
                self.w.out.open_space(name);
                if let Some(tag) = tag {
                    self.w.var(Space::Tag, tag, Next::Space);
                }
                self.br_var(label, Next::Space);
                self.w.out.close_space();
            }
        }
        if label.is_none() {
            let depth = self.labels.len();
            self.w
                .out
                .puts(&format!(" ;; label = @{depth}"), Next::Space);
        }
        self.w.out.newline(true);
        self.labels
            .push((ty, matches!(head, Operator::Loop { .. }), label));
        self.w.out.indent();
    }

    fn block_sig(&mut self, ty: BlockType) {
        match ty {
            BlockType::Empty => {}
            BlockType::Type(t) => self.w.types(&[t], "result"),
            BlockType::FuncType(i) => {
                if let Some(f) = self.w.m.func_type(i) {
                    let (p, r) = (f.params().to_vec(), f.results().to_vec());
                    self.w.types(&p, "param");
                    self.w.types(&r, "result");
                }
            }
        }
    }

    fn arm(&mut self, arm: &Operator<'a>) {
        self.w.out.dedent();
        match arm {
            Operator::Catch { tag_index } => {
                self.w.out.space("catch");
                self.w.var(Space::Tag, *tag_index, Next::Newline);
            }
            other => self.w.out.space(&text_name(other)),
        }
        self.w.out.indent();
        self.w.out.newline(true);
    }

    fn end_block(&mut self, end: &Operator<'a>) {
        self.w.out.dedent();
        self.labels.pop();
        match end {
            Operator::Delegate { relative_depth } => {
                self.w.out.space("delegate");
                self.br_var(*relative_depth, Next::Newline);
            }
            _ => self.w.out.newline_after("end"),
        }
    }

    /// `1 (;@2;)`: a label depth and, as a comment, the label it names.
    fn br_var(&mut self, depth: u32, next: Next) {
        let size = self.labels.len() as u32;
        let target = (0..self.labels.len())
            .rev()
            .filter(|i| !self.hidden.contains(i))
            .nth(depth as usize);
        if let Some(name) = target.and_then(|i| self.labels[i].2.clone()) {
            self.w.out.puts(&name, next);
            return;
        }
        let text = if depth < size {
            format!("{depth} (;@{};)", size - depth - 1)
        } else {
            format!("{depth} (; INVALID ;)")
        };
        self.w.out.puts(&text, next);
    }

    fn local(&mut self, index: u32, next: Next) {
        let name = self
            .func
            .and_then(|f| self.w.m.names.locals.get(&f))
            .and_then(|n| n.get(&index))
            .map(|n| valid_name(n));
        match name {
            Some(n) => self.w.out.puts(&n, next),
            None => self.w.out.puts(&index.to_string(), next),
        }
    }

    fn num(&mut self, n: impl std::fmt::Display) {
        self.w.out.space(&n.to_string());
    }

    fn memarg(&mut self, m: &wasmparser::MemArg) {
        if let wasmparser::MemArgTarget::Memory(mem) = m.target {
            if mem != 0 {
                self.w.var(Space::Memory, mem, Next::Space);
            }
        }
        if m.offset != 0 {
            self.num(format!("offset={}", m.offset));
        }
        if m.align != m.max_align {
            self.num(format!("align={}", 1u64 << m.align.min(63)));
        }
    }

    fn mem_unless_zero(&mut self, mem: u32) {
        if mem != 0 {
            self.w.var(Space::Memory, mem, Next::Space);
        }
    }

    /// One instruction (not a block), flat.
    pub fn op(&mut self, op: &Operator<'a>) {
        use Operator as O;
        let name = text_name(op);
        self.w.out.space(&name);
        match op {
            O::Br { relative_depth }
            | O::BrIf { relative_depth }
            | O::BrOnNull { relative_depth }
            | O::BrOnNonNull { relative_depth }
            | O::Rethrow { relative_depth } => {
                self.br_var(*relative_depth, Next::Newline);
                return;
            }
            O::BrTable { targets } => {
                for t in targets.targets().flatten() {
                    self.br_var(t, Next::Space);
                }
                self.br_var(targets.default(), Next::Newline);
                return;
            }
            O::Call { function_index }
            | O::ReturnCall { function_index }
            | O::RefFunc { function_index } => {
                self.w.var(Space::Func, *function_index, Next::Newline);
                return;
            }
            O::CallIndirect {
                type_index,
                table_index,
            }
            | O::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                if !self.w.is_zero_var(Space::Table, *table_index) {
                    self.w.var(Space::Table, *table_index, Next::Space);
                }
                self.w.out.open_space("type");
                self.w.var(Space::Type, *type_index, Next::Newline);
                self.w.out.close_newline();
                return;
            }
            O::CallRef { type_index } | O::ReturnCallRef { type_index } => {
                self.w.var(Space::Type, *type_index, Next::Newline);
                return;
            }
            O::LocalGet { local_index }
            | O::LocalSet { local_index }
            | O::LocalTee { local_index } => {
                self.local(*local_index, Next::Newline);
                return;
            }
            O::GlobalGet { global_index } | O::GlobalSet { global_index } => {
                self.w.var(Space::Global, *global_index, Next::Newline);
                return;
            }
            O::Throw { tag_index } => {
                self.w.var(Space::Tag, *tag_index, Next::Newline);
                return;
            }
            O::I32Const { value } => self.num(value),
            O::I64Const { value } => self.num(value),
            O::F32Const { value } => {
                self.w.out.space(&f32_text(value.bits()));
                self.num(format!(
                    "(;={};)",
                    printf_g(f32::from_bits(value.bits()) as f64)
                ));
            }
            O::F64Const { value } => {
                self.w.out.space(&f64_text(value.bits()));
                self.num(format!("(;={};)", printf_g(f64::from_bits(value.bits()))));
            }
            O::V128Const { value } => {
                let b = value.bytes();
                let lane = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
                self.num(format!(
                    "i32x4 0x{:08x} 0x{:08x} 0x{:08x} 0x{:08x}",
                    lane(0),
                    lane(4),
                    lane(8),
                    lane(12)
                ));
            }
            O::TypedSelect { ty } => self.w.types(&[*ty], "result"),
            O::TypedSelectMulti { tys } => self.w.types(tys, "result"),
            O::MemorySize { mem } | O::MemoryGrow { mem } | O::MemoryFill { mem } => {
                self.mem_unless_zero(*mem)
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                if *dst_mem != 0 || *src_mem != 0 {
                    self.w.var(Space::Memory, *dst_mem, Next::Space);
                    self.w.var(Space::Memory, *src_mem, Next::Space);
                }
            }
            O::MemoryInit { data_index, mem } => {
                self.mem_unless_zero(*mem);
                self.w.var(Space::Data, *data_index, Next::Space);
            }
            O::DataDrop { data_index } => self.w.var(Space::Data, *data_index, Next::Space),
            O::ElemDrop { elem_index } => self.w.var(Space::Elem, *elem_index, Next::Space),
            O::TableInit { elem_index, table } => {
                if !self.w.is_zero_var(Space::Table, *table) {
                    self.w.var(Space::Table, *table, Next::Space);
                }
                self.w.var(Space::Elem, *elem_index, Next::Space);
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                if !self.w.is_zero_var(Space::Table, *dst_table)
                    || !self.w.is_zero_var(Space::Table, *src_table)
                {
                    self.w.var(Space::Table, *dst_table, Next::Space);
                    self.w.var(Space::Table, *src_table, Next::Space);
                }
            }
            O::TableGet { table }
            | O::TableSet { table }
            | O::TableGrow { table }
            | O::TableSize { table }
            | O::TableFill { table } => self.w.var(Space::Table, *table, Next::Space),
            O::RefNull { hty } => {
                let h = self.w.heap_type(*hty);
                self.w.out.space(&h);
            }
            O::I8x16Shuffle { lanes } => {
                for l in lanes {
                    self.num(l);
                }
            }
            _ => {
                if let Some(m) = memarg_of(op) {
                    self.memarg(&m);
                }
                if let Some(lane) = lane_of(op) {
                    self.num(lane);
                }
            }
        }
        self.w.out.newline(false);
    }

    // --fold-exprs: wabt's algorithm. Each instruction takes as operands the trees on top
    // of the stack whose results add up exactly to what it consumes; an instruction with no
    // results, or one that cannot take its operands so, flushes the stack.

    fn fold_list<'n>(&mut self, nodes: &'n [Node<'a>], stack: &mut Vec<Tree<'n, 'a>>) {
        for n in nodes {
            let (args, results) = self.arity(n);
            let mut count = 0;
            let mut first = stack.len();
            if args > 0 {
                for (i, t) in stack.iter().enumerate().rev() {
                    count += t.results;
                    if count == args {
                        first = i;
                        break;
                    } else if count > args {
                        break;
                    }
                }
            }
            let mut tree = Tree {
                node: n,
                children: Vec::new(),
                results,
            };
            if count == args && args > 0 {
                tree.children = stack.split_off(first);
            }
            stack.push(tree);
            if count > args || results == 0 {
                self.flush_stack(stack);
            }
        }
    }

    fn flush_stack(&mut self, stack: &mut Vec<Tree<'_, 'a>>) {
        for t in std::mem::take(stack) {
            self.flush_tree(&t);
        }
    }

    fn flush_tree(&mut self, t: &Tree<'_, 'a>) {
        match t.node {
            Node::Op(op) => {
                self.w.out.puts("(", Next::None);
                self.op(op);
                self.w.out.indent();
                for c in &t.children {
                    self.flush_tree(c);
                }
                self.w.out.close_newline();
            }
            Node::Block {
                head,
                body,
                arms,
                end,
                number,
            } => {
                self.w.out.puts("(", Next::None);
                self.begin_block(head, *number);
                if matches!(head, Operator::If { .. }) {
                    self.hidden.push(self.labels.len() - 1);
                    for c in &t.children {
                        self.flush_tree(c);
                    }
                    self.hidden.pop();
                    self.w.out.open("then", Next::Newline);
                    self.fold_nested(body);
                    self.w.out.close_newline();
                    if let Some((_, nodes)) = arms.first().filter(|(_, n)| !n.is_empty()) {
                        self.w.out.open("else", Next::Newline);
                        self.fold_nested(nodes);
                        self.w.out.close_newline();
                    }
                } else if matches!(head, Operator::Try { .. }) {
                    self.w.out.open("do", Next::Newline);
                    self.fold_nested(body);
                    self.w.out.close_newline();
                    for (arm, nodes) in arms {
                        match arm {
                            Operator::Catch { tag_index } => {
                                self.w.out.open_space("catch");
                                self.w.var(Space::Tag, *tag_index, Next::Newline);
                            }
                            _ => self.w.out.open("catch_all", Next::Newline),
                        }
                        self.fold_nested(nodes);
                        self.w.out.close_newline();
                    }
                    if let Operator::Delegate { relative_depth } = end {
                        self.w.out.open_space("delegate");
                        self.br_var(*relative_depth, Next::Newline);
                        self.w.out.close_newline();
                    }
                } else {
                    self.fold_nested(body);
                }
                // The block's label ends with its closing parenthesis.
                self.labels.pop();
                self.w.out.close_newline();
            }
        }
    }

    fn fold_nested(&mut self, nodes: &[Node<'a>]) {
        let mut stack = Vec::new();
        self.fold_list(nodes, &mut stack);
        self.flush_stack(&mut stack);
    }

    /// (operands, results) as wabt counts them: branches, `return` and `unreachable`
    /// produce one (they end the stack, and wabt folds what precedes them into them).
    fn arity(&self, n: &Node<'a>) -> (u32, u32) {
        use Operator as O;
        let m = self.w.m;
        let block = |ty: BlockType| -> (u32, u32) {
            match ty {
                BlockType::Empty => (0, 0),
                BlockType::Type(_) => (0, 1),
                BlockType::FuncType(i) => {
                    let (p, r) = m.arity(i);
                    (p as u32, r as u32)
                }
            }
        };
        let label = |depth: u32| -> u32 {
            let Some(i) = (self.labels.len() as u32).checked_sub(depth + 1) else {
                return 0;
            };
            if i == 0 && self.func.is_some() {
                return self.results as u32;
            }
            let (ty, is_loop, _) = self.labels[i as usize];
            let (params, results) = block(ty);
            if is_loop {
                params
            } else {
                results
            }
        };
        let op = match n {
            Node::Block { head, .. } => {
                let (p, r) = block(Self::block_type(head));
                // wabt folds no operands into a block or loop, only an `if`'s condition.
                return match head {
                    O::If { .. } => (p + 1, r),
                    _ => (0, r),
                };
            }
            Node::Op(op) => op,
        };
        let func = |f: u32| -> (u32, u32) {
            let t = m.funcs.get(f as usize).copied().unwrap_or(u32::MAX);
            let (p, r) = m.arity(t);
            (p as u32, r as u32)
        };
        match op {
            O::Br { relative_depth } => (label(*relative_depth), 1),
            O::BrIf { relative_depth } => {
                let a = label(*relative_depth);
                (a + 1, a)
            }
            O::BrTable { targets } => (label(targets.default()) + 1, 1),
            O::Return => (self.results as u32, 1),
            O::Unreachable => (0, 1),
            O::Call { function_index } => func(*function_index),
            O::ReturnCall { function_index } => func(*function_index),
            O::CallIndirect { type_index, .. } | O::ReturnCallIndirect { type_index, .. } => {
                let (p, r) = m.arity(*type_index);
                (p as u32 + 1, r as u32)
            }
            O::CallRef { type_index } | O::ReturnCallRef { type_index } => {
                let (p, r) = m.arity(*type_index);
                (p as u32 + 1, r as u32)
            }
            O::Throw { tag_index } => {
                let t = m.tag_type(*tag_index);
                (m.arity(t).0 as u32, 0)
            }
            O::Rethrow { .. } | O::ThrowRef => (0, 0),
            O::BrOnNull { relative_depth } => {
                let a = label(*relative_depth);
                (a + 1, a + 1)
            }
            O::BrOnNonNull { relative_depth } => {
                let a = label(*relative_depth);
                (a, a.saturating_sub(1))
            }
            O::TypedSelectMulti { tys } => (2 * tys.len() as u32 + 1, tys.len() as u32),
            other => fixed_arity(other).unwrap_or((0, 0)),
        }
    }
}

impl super::read::Module<'_> {
    fn tag_type(&self, tag: u32) -> u32 {
        let imported: Vec<u32> = self
            .imports
            .iter()
            .filter_map(|i| match i.kind {
                super::read::ImportKind::Tag(t) => Some(t),
                _ => None,
            })
            .collect();
        imported
            .iter()
            .chain(&self.tags)
            .nth(tag as usize)
            .copied()
            .unwrap_or(u32::MAX)
    }
}

/// The instructions of a body (without the function's `end`) as a tree of blocks. Returns
/// the nodes and the instruction that ended them (`end`, `else`, `catch`, `delegate`...).
fn build<'a>(
    ops: &mut impl Iterator<Item = Operator<'a>>,
    blocks: &mut u32,
) -> (Vec<Node<'a>>, Option<Operator<'a>>) {
    let mut nodes = Vec::new();
    while let Some(op) = ops.next() {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. } => {
                let number = *blocks;
                *blocks += 1;
                let (body, mut ended) = build(ops, blocks);
                let mut arms = Vec::new();
                while let Some(
                    arm @ (Operator::Else | Operator::Catch { .. } | Operator::CatchAll),
                ) = ended
                {
                    let (nodes, next) = build(ops, blocks);
                    arms.push((arm, nodes));
                    ended = next;
                }
                nodes.push(Node::Block {
                    head: op,
                    body,
                    arms,
                    end: ended.unwrap_or(Operator::End),
                    number,
                });
            }
            Operator::End
            | Operator::Else
            | Operator::Catch { .. }
            | Operator::CatchAll
            | Operator::Delegate { .. } => return (nodes, Some(op)),
            other => nodes.push(Node::Op(other)),
        }
    }
    (nodes, None)
}

/// `Some(*memarg)` when one of the immediates is named `memarg`.
macro_rules! pick_memarg {
    () => { None };
    ($x:ident $(, $rest:ident)*) => { pick_memarg!(@check $x $x $(, $rest)*) };
    (@check memarg $x:ident $(, $rest:ident)*) => { Some(*$x) };
    (@check $other:ident $x:ident $(, $rest:ident)*) => { pick_memarg!($($rest),*) };
}

/// `Some(*lane)` when one of the immediates is named `lane`.
macro_rules! pick_lane {
    () => { None };
    ($x:ident $(, $rest:ident)*) => { pick_lane!(@check $x $x $(, $rest)*) };
    (@check lane $x:ident $(, $rest:ident)*) => { Some(*$x) };
    (@check $other:ident $x:ident $(, $rest:ident)*) => { pick_lane!($($rest),*) };
}

/// The operand and result counts wasmparser's list gives, when they do not depend on the
/// module.
macro_rules! arity_of {
    (arity $a:tt -> $b:tt) => {
        Some(($a, $b))
    };
    (arity memarg $a:tt -> $b:tt) => {
        Some(($a, $b))
    };
    (arity custom) => {
        None
    };
}

macro_rules! define_immediates {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The memory immediate (loads, stores, atomics, lanes), the lane immediate, and the
        /// fixed arity of `op`, all derived from wasmparser's operator list.
        #[allow(unused_variables)]
        fn immediates(op: &Operator<'_>) -> (Option<wasmparser::MemArg>, Option<u8>, Option<(u32, u32)>) {
            match op {
                $( Operator::$op $({ $($arg),* })? => (
                    pick_memarg!($($($arg),*)?),
                    pick_lane!($($($arg),*)?),
                    arity_of!($($ann)*),
                ), )*
                #[allow(unreachable_patterns)]
                _ => (None, None, None),
            }
        }
    };
}
wasmparser::for_each_operator!(define_immediates);

fn fixed_arity(op: &Operator<'_>) -> Option<(u32, u32)> {
    immediates(op).2
}

fn memarg_of(op: &Operator<'_>) -> Option<wasmparser::MemArg> {
    immediates(op).0
}

fn lane_of(op: &Operator<'_>) -> Option<u8> {
    immediates(op).1
}

/// C's `printf("%g", v)`: six significant digits, trailing zeros dropped, exponent form
/// below 1e-4 and from 1e6; `nan`, `-nan`, `inf`, `-inf`.
pub fn printf_g(v: f64) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf" } else { "inf" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // The exponent after rounding to six significant digits decides the form.
    let sci = format!("{v:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let mantissa = trim_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (5 - exp).max(0) as usize;
        trim_zeros(&format!("{v:.decimals$}")).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::printf_g;

    #[test]
    fn g_format_is_cs() {
        assert_eq!(printf_g(1.0), "1");
        assert_eq!(printf_g(0.1), "0.1");
        assert_eq!(printf_g(123456.0), "123456");
        assert_eq!(printf_g(1234567.0), "1.23457e+06");
        assert_eq!(printf_g(0.0001), "0.0001");
        assert_eq!(printf_g(0.00001), "1e-05");
        assert_eq!(printf_g(-2.5), "-2.5");
        assert_eq!(printf_g(f64::MAX), "1.79769e+308");
        assert_eq!(printf_g(999999.5), "1e+06");
        assert_eq!(printf_g(-0.0), "-0");
        assert_eq!(printf_g(f64::NAN), "nan");
        assert_eq!(printf_g(-f64::INFINITY), "-inf");
    }
}
