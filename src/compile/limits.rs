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
//! parameter of the internal convention (`Env::fn_type`; the array trampoline passes the
//! store's cell, a host adapter stores it there before calling the host), so no memory lies
//! between a caller and its callee's entry check. It is written to the store's cell only where
//! something else can read it:
//! - at the return, and before `throw` and `unreachable` (the caller, which reads it back
//!   after the call returns, a catching frame, the trap handler);
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
//! One divergence from wasmtime 49 is deliberate: it neither writes the count back before a
//! `call_ref` nor reads it after, so what the callee runs is not charged; rt charges it as
//! for any call.
use super::env::{llvm_err, Heap, Res};
use super::func::FuncTx;
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
/// argument ([`FuncTx::fuel_arg`]).
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
    /// caller passed. (The entry's cost and check come after the stack check: [`Self::fuel_entry_check`].)
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

    /// The function entry's cost and check.
    pub(crate) fn fuel_entry_check(&mut self) -> Res<()> {
        if self.fuel_var.is_none() {
            return Ok(());
        }
        self.fuel_pending += ENTRY_COST;
        self.fuel_check()
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

    /// The count to pass to a callee (pending already paid at the call).
    pub(crate) fn fuel_arg(&self) -> Res<Option<IntValue<'ctx>>> {
        let Some(var) = self.fuel_var else {
            return Ok(None);
        };
        Ok(Some(self.fuel_now(var)?))
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
        env.b
            .build_int_sub(fuel, pending, "fuel_left")
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

    /// Pay what is pending and write the local to the store's cell (before a call, a throw,
    /// `unreachable`, and at the return).
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

    /// Read the count back from the store's cell into the local: after a call returns (the
    /// callee, or the host, used or set fuel, and wrote it there) and at a `try_table`'s
    /// landing code (the throw wrote it).
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
    pub(crate) fn fuel_check(&mut self) -> Res<()> {
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
    /// brings ([`Self::fuel_to_trap`]), stored to the store's cell.
    pub(crate) fn fuel_trap_entry(&self) -> Res<()> {
        if self.fuel_var.is_none() {
            return Ok(());
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
        env.tag(st, Heap::Runtime)
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

    /// Trap with "interrupt" when the store's interrupt flag is set (function entries and
    /// loop headers, when compiled interruptible). The flag is written by other threads: the
    /// load is atomic, so LLVM neither hoists nor merges it.
    pub(crate) fn check_interrupt(&mut self) -> Res<()> {
        if !self.env.settings.interruptible {
            return Ok(());
        }
        let env = self.env;
        let cell = env.field_ptr(self.limit_cells()?, offset::LIMIT_INTERRUPT)?;
        let flag = env
            .b
            .build_load(env.i32(), cell, "interrupt")
            .map_err(llvm_err)?;
        let inst = flag.as_instruction_value().ok_or("load")?;
        inst.set_alignment(4).map_err(|e| e.to_string())?;
        inst.set_atomic_ordering(AtomicOrdering::Monotonic)
            .map_err(|e| e.to_string())?;
        let set = env
            .b
            .build_int_compare(
                IntPredicate::NE,
                flag.into_int_value(),
                env.i32().const_zero(),
                "interrupted",
            )
            .map_err(llvm_err)?;
        self.trap_if(set, trap_code::INTERRUPT)
    }
}
