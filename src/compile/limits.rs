//! Run-time limits in compiled code, emitted only when the `Config` asks for them (so code
//! compiled without them carries nothing): fuel accounting (`Config::consume_fuel`) and
//! interruption checks (`Config::interruptible`), both over the store's `LimitCells`.
//!
//! Fuel is counted as wasmtime counts it, so that `-W fuel=N` stops a program at the same
//! operator under both: each operator costs one unit (the structural ones nothing, see
//! [`fuel_cost`]) and every function entry one more; the count is checked only where it can
//! grow without bound, at function entries and loop headers, and runs out there when no fuel
//! is left (the cell is zero or below; straight-line code between two checks may overdraw it).
//!
//! Where the count lives: in a local of the function (`FuncTx::fuel_var`, an alloca that
//! mem2reg turns into a register). A function receives it from its caller as the last
//! parameter of the internal convention and hands what is left back as the last value it
//! returns (`Env::fn_type`, `Env::returned_types`), so no memory lies between a caller and its
//! callee's entry check, nor between the callee's return and the caller's next check. The
//! array trampoline passes the store's cell and stores what comes back there; a host adapter
//! stores what it receives there before calling the host, and returns the cell's count after.
//! It is written to the store's cell only where something else can read it:
//! - before `throw` and `unreachable` (a catching frame, the trap handler);
//! - before every runtime helper call (a helper that fails traps with the cell as it is);
//! - on the way to a trap block, which stores the local (less what the trapping block has run
//!   so far) before calling the trap helper.
//!
//! The translator adds up the cost of straight-line code at compile time (`fuel_pending`) and
//! subtracts it from the local wherever control may leave the line (see [`flushes`]), so the
//! loop of a hot kernel pays one subtraction per block and one compare at its header, with no
//! memory traffic. What `Store::get_fuel` sees afterwards: exact after a return, an exception,
//! or any trap the compiled code raises itself (out of fuel, an explicit check such as division
//! by zero, `unreachable`, a failing helper): every operator before the trapping one, and that
//! one, is paid. After a trap the hardware raises (an access caught by a guard page), the cell
//! holds the count as some frame of the call last wrote it (a return, a helper call, a host
//! call, the entry from the host): the signal handler cannot see the locals, and wasmtime,
//! which writes the cell before calls too, gives no exact count there either.
//!
//! Exceptions: a `try_table`'s landing code reads the count back from the cell, which the
//! throw (here or in a callee) wrote.
//!
//! Interruption: another thread sets the store's interrupt cell to `vm::INTERRUPTED` and, for
//! code compiled interruptible, the stop bit of the stack limit (`vm::STACK_STOP`, see
//! `InterruptHandle`). Function entries check nothing more: the prologue's stack check
//! fails with the bit set, and its trap block reads the interrupt cell to tell an interrupt
//! from a stack overflow. Loop headers load the cell (atomically, so LLVM keeps the load in
//! the loop); with fuel too, one compare serves both limits (see [`FuncTx::limit_checks`]).
//!
//! One divergence from wasmtime 49 is deliberate: it neither writes the count back before a
//! `call_ref` nor reads it after, so what the callee runs is not charged; rt charges it as
//! for any call.
use super::env::{llvm_err, Heap, Res};
use super::func::{FuncTx, TrapCause};
use crate::runtime::vm::{offset, trap_code};
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValue, IntValue, PhiValue, PointerValue};
use inkwell::{AtomicOrdering, IntPredicate};
use wasmparser::Operator;

/// What an operator costs, in wasmtime's units.
fn fuel_cost(op: &Operator) -> u64 {
    match op {
        Operator::Nop
        | Operator::Drop
        | Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::Unreachable
        | Operator::Return
        | Operator::Else
        | Operator::End => 0,
        _ => 1,
    }
}

/// What a function entry costs before its check (wasmtime's: even an empty function uses
/// fuel).
const ENTRY_COST: u64 = 1;

/// Whether control may leave straight-line code at `op`: the pending cost goes into the
/// local first, so that each block pays for itself on every path.
fn flushes(op: &Operator) -> bool {
    writes_back(op)
        || passes_on(op)
        || matches!(
            op,
            Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::Else
                | Operator::End
                | Operator::Br { .. }
                | Operator::BrIf { .. }
                | Operator::BrTable { .. }
                | Operator::BrOnNull { .. }
                | Operator::BrOnNonNull { .. }
                | Operator::BrOnCast { .. }
                | Operator::BrOnCastFail { .. }
                | Operator::Return
                | Operator::TryTable { .. }
        )
}

/// Whether something outside this function reads the count from the store's cell at `op`
/// (the trap handler, a catching frame): the local goes there first.
fn writes_back(op: &Operator) -> bool {
    matches!(
        op,
        Operator::Unreachable | Operator::Throw { .. } | Operator::ThrowRef
    )
}

/// Whether `op` calls: what is pending is paid, and the callee receives the count as its last
/// argument ([`FuncTx::fuel_left`]).
fn passes_on(op: &Operator) -> bool {
    matches!(
        op,
        Operator::Call { .. }
            | Operator::CallIndirect { .. }
            | Operator::CallRef { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. }
    )
}

/// Which of a function's loops (by the order of their `loop` operators) need no check of
/// their own at the header: those whose body starts with straight-line code and a direct call
/// of a function defined in the module. Every path around such a loop goes through that
/// callee's entry, which checks the fuel count (and, in interruptible code, the stack limit
/// an interrupt raises), so the loop still cannot run unchecked; an out-of-fuel or interrupt
/// trap comes at most one iteration's straight line later. On call-heavy code (a recursive
/// function that its producer turned into a loop around one of its calls) this halves the
/// checks.
pub(crate) fn loops_checked_by_a_call(
    mut ops: wasmparser::OperatorsReader<'_>,
    first_defined: u32,
) -> Res<Vec<bool>> {
    let mut covered = Vec::new();
    // The loop whose body is still straight-line so far.
    let mut open: Option<usize> = None;
    while !ops.eof() {
        let op = ops.read().map_err(|e| format!("bad operator: {e}"))?;
        match op {
            Operator::Loop { .. } => {
                covered.push(false);
                open = Some(covered.len() - 1);
            }
            Operator::Call { function_index } => {
                if let (Some(k), true) = (open.take(), function_index >= first_defined) {
                    covered[k] = true;
                }
            }
            ref other if open.is_some() && !straight_line(other) => open = None,
            _ => {}
        }
    }
    Ok(covered)
}

/// Whether `op` falls through to the next operator whenever it does not trap: no branch, no
/// block structure, no call or throw.
fn straight_line(op: &Operator) -> bool {
    !(flushes(op)
        || matches!(
            op,
            Operator::Block { .. }
                | Operator::Try { .. }
                | Operator::Catch { .. }
                | Operator::CatchAll
                | Operator::Delegate { .. }
                | Operator::Rethrow { .. }
        ))
}

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    fn limit_cells(&self) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        Ok(env
            .load_field(self.vmctx, offset::LIMITS, env.ptr().into())?
            .into_pointer_value())
    }

    fn fuel_cell(&self) -> Res<PointerValue<'ctx>> {
        self.env.field_ptr(self.limit_cells()?, offset::LIMIT_FUEL)
    }

    /// At the top of the entry block, before anything can trap: the local, from the count the
    /// caller passed. (The entry's cost and check come after the stack check: [`Self::entry_fuel_check`].)
    pub(crate) fn fuel_entry_load(&mut self) -> Res<()> {
        if !self.env.settings.consume_fuel {
            return Ok(());
        }
        let var = self.entry_alloca(self.env.i64().into(), "fuel")?;
        self.fuel_var = Some(var);
        let fuel = self.func.get_last_param().ok_or("fuel param")?;
        self.env.b.build_store(var, fuel).map_err(llvm_err)?;
        Ok(())
    }

    /// The function entry's cost and fuel check. (An interrupt stops the prologue's stack
    /// check: see [`Self::stack_or_interrupt_code`].)
    pub(crate) fn entry_fuel_check(&mut self) -> Res<()> {
        if self.fuel_var.is_none() {
            return Ok(());
        }
        self.fuel_pending += ENTRY_COST;
        self.fuel_check()
    }

    /// The checks of a loop header: out of fuel, interrupted, or with both limits one
    /// compare for the two. The interrupt cell is 0 until another thread sets it to
    /// `vm::INTERRUPTED`, above any count, so `count <= cell` holds exactly when the count is
    /// spent or the guest interrupted; the trap block tells which, out of fuel first as the
    /// separate checks would (so the interrupt costs one load and no branch).
    pub(crate) fn limit_checks(&mut self) -> Res<()> {
        let (Some(var), true) = (self.fuel_var, self.env.settings.interruptible) else {
            self.fuel_check()?;
            return self.check_interrupt();
        };
        self.fuel_flush()?;
        let env = self.env;
        let fuel = self.fuel_now(var)?;
        let floor = self.load_interrupt_cell()?;
        let stop = env
            .b
            .build_int_compare(IntPredicate::SLE, fuel, floor, "stop")
            .map_err(llvm_err)?;
        self.trap_if_cause(stop, TrapCause::FuelOrInterrupt)
    }

    /// The trap code of a [`TrapCause::FuelOrInterrupt`] trap block, given the count there:
    /// out of fuel when it is spent, else the interrupt.
    pub(crate) fn fuel_or_interrupt_code(
        &self,
        fuel: Option<IntValue<'ctx>>,
    ) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let fuel = fuel.ok_or("a fuel-or-interrupt trap without fuel")?;
        let spent = env
            .b
            .build_int_compare(IntPredicate::SLE, fuel, env.i64().const_zero(), "spent")
            .map_err(llvm_err)?;
        self.interrupt_unless(spent, trap_code::OUT_OF_FUEL)
    }

    /// The trap code of a [`TrapCause::StackOrInterrupt`] trap block. In interruptible code
    /// function entries have no interrupt check of their own: an interrupt also sets the stop
    /// bit of the stack limit (`vm::STACK_STOP`), above any frame, so the stack check every
    /// prologue makes anyway fails, and this block tells the two apart by the interrupt cell.
    pub(crate) fn stack_or_interrupt_code(&self) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let cell = self.load_interrupt_cell()?;
        let calm = env
            .b
            .build_int_compare(IntPredicate::EQ, cell, env.i64().const_zero(), "calm")
            .map_err(llvm_err)?;
        self.interrupt_unless(calm, trap_code::STACK)
    }

    /// `code` when `cond` holds, else the interrupt's.
    fn interrupt_unless(&self, cond: IntValue<'ctx>, which: i32) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let code = |c: i32| env.i32().const_int(c as u64, true);
        Ok(env
            .b
            .build_select(cond, code(which), code(trap_code::INTERRUPT), "limit")
            .map_err(llvm_err)?
            .into_int_value())
    }

    /// Account for `op` (reachable code only), before it is translated: add its cost, and
    /// move what is pending into the local, or on into the cell, as `op` requires.
    pub(crate) fn count_fuel(&mut self, op: &Operator) -> Res<()> {
        if self.fuel_var.is_none() {
            return Ok(());
        }
        self.fuel_pending += fuel_cost(op);
        if writes_back(op) {
            self.fuel_save()
        } else if flushes(op) {
            self.fuel_flush()
        } else {
            Ok(())
        }
    }

    /// The count to pass to a callee, or to return to the caller (pending already paid at
    /// a call or return, which flush it).
    pub(crate) fn fuel_left(&self) -> Res<Option<IntValue<'ctx>>> {
        let Some(var) = self.fuel_var else {
            return Ok(None);
        };
        Ok(Some(self.fuel_now(var)?))
    }

    /// After a call: carry on with the count the callee returned (it used fuel, or the host
    /// it reached set it).
    pub(crate) fn fuel_set(&mut self, fuel: IntValue<'ctx>) -> Res<()> {
        let Some(var) = self.fuel_var else {
            return Err("a fuel result without fuel".into());
        };
        self.env.b.build_store(var, fuel).map_err(llvm_err)?;
        Ok(())
    }

    /// The local's value now, less what is pending (emits a load of the alloca, which
    /// mem2reg resolves to the SSA value reaching here).
    fn fuel_now(&self, var: PointerValue<'ctx>) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let fuel = env
            .b
            .build_load(env.i64(), var, "fuel")
            .map_err(llvm_err)?
            .into_int_value();
        if self.fuel_pending == 0 {
            return Ok(fuel);
        }
        let pending = env.i64().const_int(self.fuel_pending, false);
        // `nsw`: the count lies between what a host can set (at most `i64::MAX`) and a
        // block's cost below zero, never near `i64::MIN`; knowing it cannot wrap, LLVM
        // compares the incoming count with the entry cost itself (`cmp $1`) instead of
        // subtracting into a scratch register and testing that.
        env.b
            .build_int_nsw_sub(fuel, pending, "fuel_left")
            .map_err(llvm_err)
    }

    /// Subtract what is pending from the local.
    fn fuel_flush(&mut self) -> Res<()> {
        let Some(var) = self.fuel_var else {
            return Ok(());
        };
        if self.fuel_pending == 0 {
            return Ok(());
        }
        let left = self.fuel_now(var)?;
        self.env.b.build_store(var, left).map_err(llvm_err)?;
        self.fuel_pending = 0;
        Ok(())
    }

    /// Pay what is pending and write the local to the store's cell (before a throw and
    /// `unreachable`).
    pub(crate) fn fuel_save(&mut self) -> Res<()> {
        self.fuel_flush()?;
        self.fuel_sync()
    }

    /// Write the count as it stands here (the local less what is pending) to the store's
    /// cell, leaving the local and the pending count as they are: safe on a side path of the
    /// current block (helper calls, which may fail and trap).
    pub(crate) fn fuel_sync(&self) -> Res<()> {
        let Some(var) = self.fuel_var else {
            return Ok(());
        };
        let now = self.fuel_now(var)?;
        let st = self
            .env
            .b
            .build_store(self.fuel_cell()?, now)
            .map_err(llvm_err)?;
        self.env.tag(st, Heap::Runtime)
    }

    /// Read the count back from the store's cell into the local: at a `try_table`'s landing
    /// code (the throw wrote it there).
    pub(crate) fn fuel_reload(&mut self) -> Res<()> {
        let Some(var) = self.fuel_var else {
            return Ok(());
        };
        let env = self.env;
        let fuel = env
            .b
            .build_load(env.i64(), self.fuel_cell()?, "fuel_cell")
            .map_err(llvm_err)?;
        env.tag(fuel.as_instruction_value().ok_or("load")?, Heap::Runtime)?;
        env.b.build_store(var, fuel).map_err(llvm_err)?;
        Ok(())
    }

    /// Trap with "all fuel consumed by WebAssembly" when none is left (function entries and
    /// loop headers). The trap block writes the count back.
    fn fuel_check(&mut self) -> Res<()> {
        let Some(var) = self.fuel_var else {
            return Ok(());
        };
        self.fuel_flush()?;
        let env = self.env;
        let fuel = self.fuel_now(var)?;
        let out = env
            .b
            .build_int_compare(IntPredicate::SLE, fuel, env.i64().const_zero(), "no_fuel")
            .map_err(llvm_err)?;
        self.trap_if(out, trap_code::OUT_OF_FUEL)
    }

    /// In a new trap block, before its trap helper call: a phi of the count each branch here
    /// brings ([`Self::fuel_to_trap`]), stored to the store's cell; the count, with fuel.
    pub(crate) fn fuel_trap_entry(&self) -> Res<Option<IntValue<'ctx>>> {
        if self.fuel_var.is_none() {
            return Ok(None);
        }
        let env = self.env;
        let phi = env
            .b
            .build_phi(env.i64(), "fuel_at_trap")
            .map_err(llvm_err)?;
        let st = env
            .b
            .build_store(self.fuel_cell()?, phi.as_basic_value())
            .map_err(llvm_err)?;
        env.tag(st, Heap::Runtime)?;
        Ok(Some(phi.as_basic_value().into_int_value()))
    }

    /// Before branching from the current block to trap block `trap`: give its phi the count
    /// here, the trapping operator included.
    pub(crate) fn fuel_to_trap(&self, trap: BasicBlock<'ctx>) -> Res<()> {
        let Some(var) = self.fuel_var else {
            return Ok(());
        };
        let first = trap.get_first_instruction().ok_or("empty trap block")?;
        let phi = PhiValue::try_from(first).map_err(|_| "trap block without a fuel phi")?;
        let now = self.fuel_now(var)?;
        phi.add_incoming(&[(&now, self.cur_block())]);
        Ok(())
    }

    /// Trap with "interrupt" when the store's interrupt cell is set (loop headers, when
    /// compiled interruptible without fuel; see [`Self::limit_checks`]).
    fn check_interrupt(&mut self) -> Res<()> {
        if !self.env.settings.interruptible {
            return Ok(());
        }
        let env = self.env;
        let cell = self.load_interrupt_cell()?;
        let set = env
            .b
            .build_int_compare(
                IntPredicate::NE,
                cell,
                env.i64().const_zero(),
                "interrupted",
            )
            .map_err(llvm_err)?;
        self.trap_if(set, trap_code::INTERRUPT)
    }

    /// The interrupt cell (0, or `vm::INTERRUPTED`). Other threads write it: the load is
    /// atomic, so LLVM neither hoists nor merges it.
    fn load_interrupt_cell(&self) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let cell = env.field_ptr(self.limit_cells()?, offset::LIMIT_INTERRUPT)?;
        let value = env
            .b
            .build_load(env.i64(), cell, "interrupt")
            .map_err(llvm_err)?;
        let inst = value.as_instruction_value().ok_or("load")?;
        inst.set_alignment(8).map_err(|e| e.to_string())?;
        inst.set_atomic_ordering(AtomicOrdering::Monotonic)
            .map_err(|e| e.to_string())?;
        Ok(value.into_int_value())
    }
}

#[cfg(test)]
mod tests {
    use super::loops_checked_by_a_call;

    /// `loops_checked_by_a_call` for each defined function of `wat` (one import, `$imp`).
    fn covered(wat: &str) -> Vec<Vec<bool>> {
        let bytes = wat::parse_str(wat).expect("wat");
        let mut found = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
            if let wasmparser::Payload::CodeSectionEntry(body) = payload.expect("payload") {
                let ops = body.get_operators_reader().expect("operators");
                found.push(loops_checked_by_a_call(ops, 1).expect("scan"));
            }
        }
        found
    }

    #[test]
    fn a_loop_is_checked_by_a_call_only_on_every_way_around() {
        let found = covered(
            r#"(module
              (import "m" "imp" (func $imp))
              (func $f (param i32)
                ;; covered: straight line, then a call of a defined function
                (loop $a (call $f (i32.add (local.get 0) (i32.const 1))) (br $a))
                ;; not: the import has no entry check of rt's
                (loop $b (call $imp) (br $b))
                ;; not: a branch may go around before the call
                (loop $c (br_if $c (local.get 0)) (call $f (i32.const 0)))
                ;; not: the call sits in a block
                (loop $d (block (call $f (i32.const 0))) (br $d))
                ;; outer not (a loop first), inner covered
                (loop $e (loop $g (call $f (i32.const 2)) (br_if $g (local.get 0)))
                  (br $e))))"#,
        );
        assert_eq!(found, vec![vec![true, false, false, false, false, true]]);
    }
}
