//! Structured control flow: blocks, loops and ifs become basic blocks whose phis carry the
//! construct's results (or a loop's parameters); branches add incoming values to them.
use super::env::{llvm_err, Res};
use super::func::{Frame, FrameKind, FuncTx};
use crate::runtime::vm::trap_code;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValueEnum, PhiValue};
use wasmparser::{BlockType, Operator, ValType};

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn block_sig(&self, bt: BlockType) -> (Vec<ValType>, Vec<ValType>) {
        match bt {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => (vec![], vec![t]),
            BlockType::FuncType(i) => {
                let ft = &self.env.wasm.types[i as usize];
                (ft.params().to_vec(), ft.results().to_vec())
            }
        }
    }

    /// Phis for `tys` at the start of `block` (the builder returns to where it was).
    fn phis_in(&self, block: BasicBlock<'ctx>, tys: &[ValType]) -> Res<Vec<PhiValue<'ctx>>> {
        let b = &self.env.b;
        let here = b.get_insert_block();
        match block.get_first_instruction() {
            Some(i) => b.position_before(&i),
            None => b.position_at_end(block),
        }
        let mut phis = Vec::new();
        for t in self.types_of(tys)? {
            phis.push(b.build_phi(t, "phi").map_err(llvm_err)?);
        }
        if let Some(h) = here {
            b.position_at_end(h);
        }
        Ok(phis)
    }

    pub(crate) fn push_frame(
        &mut self,
        kind: FrameKind<'ctx>,
        next: BasicBlock<'ctx>,
        results: &[ValType],
        height: usize,
        header: Option<(BasicBlock<'ctx>, Vec<PhiValue<'ctx>>)>,
    ) -> Res<()> {
        let end_phis = self.phis_in(next, results)?;
        self.frames.push(Frame {
            kind,
            next,
            end_phis,
            header,
            height,
            params: Vec::new(),
            next_reachable: false,
        });
        Ok(())
    }

    /// Add the values on top of the stack as incoming to the target of `br depth`.
    pub(crate) fn add_branch_incoming(&mut self, depth: u32) -> BasicBlock<'ctx> {
        let cur = self.cur_block();
        let idx = self.frames.len() - 1 - depth as usize;
        let frame = &mut self.frames[idx];
        let (target, phis) = match &frame.header {
            Some((h, p)) => (*h, p),
            None => {
                frame.next_reachable = true;
                (frame.next, &frame.end_phis)
            }
        };
        let vals = &self.stack[self.stack.len() - phis.len()..];
        for (phi, v) in phis.iter().zip(vals) {
            phi.add_incoming(&[(v, cur)]);
        }
        target
    }

    pub(crate) fn mark_unreachable(&mut self) {
        self.reachable = false;
        let h = self.frames.last().map(|f| f.height).unwrap_or(0);
        self.stack.truncate(h);
    }

    pub(crate) fn control_op(&mut self, op: &Operator) -> Res<bool> {
        let env = self.env;
        let b = &env.b;
        match op {
            Operator::Block { blockty } => {
                let (params, results) = self.block_sig(*blockty);
                let next = env.ctx.append_basic_block(self.func, "block_end");
                let height = self.stack.len() - params.len();
                self.push_frame(FrameKind::Block, next, &results, height, None)?;
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_sig(*blockty);
                let header = env.ctx.append_basic_block(self.func, "loop");
                let next = env.ctx.append_basic_block(self.func, "loop_end");
                let phis = self.phis_in(header, &params)?;
                let cur = self.cur_block();
                let args = self.popn(params.len());
                for (phi, v) in phis.iter().zip(&args) {
                    phi.add_incoming(&[(v, cur)]);
                }
                b.build_unconditional_branch(header).map_err(llvm_err)?;
                b.position_at_end(header);
                let ordinal = self.loops_seen - 1;
                if !self
                    .loops_checked_by_a_call
                    .get(ordinal)
                    .copied()
                    .unwrap_or(false)
                {
                    self.limit_checks()?;
                }
                let height = self.stack.len();
                for phi in &phis {
                    self.push(phi.as_basic_value());
                }
                self.push_frame(
                    FrameKind::Loop,
                    next,
                    &results,
                    height,
                    Some((header, phis)),
                )?;
            }
            Operator::If { blockty } => {
                let (params, results) = self.block_sig(*blockty);
                let c = self.pop_condition("if")?;
                let then = env.ctx.append_basic_block(self.func, "then");
                let els = env.ctx.append_basic_block(self.func, "else");
                let next = env.ctx.append_basic_block(self.func, "if_end");
                b.build_conditional_branch(c, then, els).map_err(llvm_err)?;
                b.position_at_end(then);
                let height = self.stack.len() - params.len();
                let saved = self.stack[height..].to_vec();
                self.push_frame(
                    FrameKind::If {
                        else_block: els,
                        has_else: false,
                    },
                    next,
                    &results,
                    height,
                    None,
                )?;
                self.frames.last_mut().expect("just pushed").params = saved;
            }
            Operator::Else => self.else_arm()?,
            Operator::End => self.end()?,
            Operator::Br { relative_depth } => {
                let target = self.add_branch_incoming(*relative_depth);
                b.build_unconditional_branch(target).map_err(llvm_err)?;
                self.mark_unreachable();
            }
            Operator::BrIf { relative_depth } => {
                let c = self.pop_condition("brif")?;
                self.branch_if(c, *relative_depth, "brif_cont")?;
            }
            Operator::BrTable { targets } => {
                let idx = self.pop_int();
                let mut depths: Vec<u32> = Vec::new();
                for t in targets.targets() {
                    depths.push(t.map_err(|e| e.to_string())?);
                }
                let default = targets.default();
                // One edge block per distinct target keeps every phi's predecessors unique.
                let mut edge: std::collections::HashMap<u32, BasicBlock<'ctx>> = Default::default();
                let origin = self.cur_block();
                for d in depths.iter().chain(std::iter::once(&default)) {
                    if edge.contains_key(d) {
                        continue;
                    }
                    let blk = env.ctx.append_basic_block(self.func, "br_table_edge");
                    b.position_at_end(blk);
                    let target = self.add_branch_incoming(*d);
                    b.build_unconditional_branch(target).map_err(llvm_err)?;
                    edge.insert(*d, blk);
                }
                b.position_at_end(origin);
                let cases: Vec<_> = depths
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (env.i32().const_int(i as u64, false), edge[d]))
                    .collect();
                b.build_switch(idx, edge[&default], &cases)
                    .map_err(llvm_err)?;
                self.mark_unreachable();
            }
            Operator::Return => {
                let target = self.add_branch_incoming(self.frames.len() as u32 - 1);
                b.build_unconditional_branch(target).map_err(llvm_err)?;
                self.mark_unreachable();
            }
            Operator::Unreachable => {
                self.emit_trap(env.i32().const_int(trap_code::UNREACHABLE as u64, false))?;
                self.mark_unreachable();
            }
            // Tail calls end the block like `return`, and like it leave every try_table of
            // this function: the callee replaces this frame, so a tail call is never an
            // `invoke` (see `exn.rs`).
            Operator::ReturnCall { function_index } => {
                self.call_as(*function_index, true)?;
                self.mark_unreachable();
            }
            Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                self.call_indirect_as(*type_index, *table_index, true)?;
                self.mark_unreachable();
            }
            Operator::ReturnCallRef { type_index } => {
                self.call_ref_as(*type_index, true)?;
                self.mark_unreachable();
            }
            Operator::Call { function_index } => self.call(*function_index)?,
            Operator::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(*type_index, *table_index)?,
            Operator::CallRef { type_index } => self.call_ref_as(*type_index, false)?,
            Operator::BrOnNull { relative_depth } => {
                // The label takes the values below the reference; the reference, known
                // non-null, stays on the stack when the branch is not taken.
                let r = self.pop().into_pointer_value();
                let null = b.build_is_null(r, "isnull").map_err(llvm_err)?;
                self.branch_if(null, *relative_depth, "nonnull")?;
                self.push(r);
            }
            Operator::BrOnNonNull { relative_depth } => {
                // The label takes the reference too, on top; a null is dropped.
                let r = self
                    .stack
                    .last()
                    .copied()
                    .expect("validated")
                    .into_pointer_value();
                let non_null = b.build_is_not_null(r, "nonnull").map_err(llvm_err)?;
                self.branch_if(non_null, *relative_depth, "null")?;
                self.pop();
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Branch to label `depth` when `cond` holds, else continue in a new block named `cont`
    /// (`br_if`, `br_on_null`, `br_on_non_null`).
    pub(crate) fn branch_if(
        &mut self,
        cond: inkwell::values::IntValue<'ctx>,
        depth: u32,
        cont: &str,
    ) -> Res<()> {
        let env = self.env;
        let b = &env.b;
        let cont = env.ctx.append_basic_block(self.func, cont);
        let target = self.add_branch_incoming(depth);
        b.build_conditional_branch(cond, target, cont)
            .map_err(llvm_err)?;
        b.position_at_end(cont);
        Ok(())
    }

    /// Close the live arm of the innermost frame by branching to its continuation.
    fn fall_through(&mut self) -> Res<()> {
        if !self.reachable {
            return Ok(());
        }
        let cur = self.cur_block();
        let frame = self.frames.last_mut().expect("open frame");
        frame.next_reachable = true;
        let n = frame.end_phis.len();
        let vals = &self.stack[self.stack.len() - n..];
        for (phi, v) in frame.end_phis.iter().zip(vals) {
            phi.add_incoming(&[(v, cur)]);
        }
        let next = frame.next;
        self.env
            .b
            .build_unconditional_branch(next)
            .map_err(llvm_err)?;
        Ok(())
    }

    fn else_arm(&mut self) -> Res<()> {
        self.fall_through()?;
        let frame = self.frames.last_mut().expect("if frame");
        let FrameKind::If { else_block, .. } = frame.kind else {
            return Err("else without if".into());
        };
        frame.kind = FrameKind::If {
            else_block,
            has_else: true,
        };
        let (height, params) = (frame.height, frame.params.clone());
        self.env.b.position_at_end(else_block);
        self.stack.truncate(height);
        self.stack.extend(params);
        self.reachable = true;
        Ok(())
    }

    fn end(&mut self) -> Res<()> {
        self.fall_through()?;
        let b = &self.env.b;
        let mut frame = self.frames.pop().expect("open frame");
        if let FrameKind::If {
            else_block,
            has_else: false,
        } = frame.kind
        {
            // The missing else arm passes the parameters through as results.
            b.position_at_end(else_block);
            for (phi, v) in frame.end_phis.iter().zip(&frame.params) {
                phi.add_incoming(&[(v as &dyn inkwell::values::BasicValue, else_block)]);
            }
            b.build_unconditional_branch(frame.next).map_err(llvm_err)?;
            frame.next_reachable = true;
        }
        self.stack.truncate(frame.height);
        b.position_at_end(frame.next);
        if frame.next_reachable {
            let vals: Vec<BasicValueEnum> =
                frame.end_phis.iter().map(|p| p.as_basic_value()).collect();
            self.stack.extend(vals);
            self.reachable = true;
        } else {
            for phi in &frame.end_phis {
                phi.as_instruction().erase_from_basic_block();
            }
            b.build_unreachable().map_err(llvm_err)?;
            self.reachable = false;
        }
        if frame.kind == FrameKind::Function && self.reachable {
            let vals = self.popn(frame.end_phis.len());
            self.build_return(&vals)?;
        }
        self.dead_depth = 0;
        Ok(())
    }

    /// Return values in the internal convention (a struct for several results, or stored in
    /// the caller's buffer), and with fuel the count left, which the caller carries on with.
    pub(crate) fn build_return(&mut self, vals: &[BasicValueEnum<'ctx>]) -> Res<()> {
        let fuel = self.fuel_left()?;
        super::calls::build_wasm_return(self.env, vals, self.results_buf, fuel)
    }
}
