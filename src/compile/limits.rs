//! Run-time limits in compiled code, emitted only when the `Config` asks for them (so code
//! compiled without them carries nothing): fuel accounting (`Config::consume_fuel`) and
//! interruption checks (`Config::interruptible`), both over the store's `LimitCells`.
//!
//! Fuel: each operator costs one unit, as wasmtime counts (the structural ones cost nothing).
//! The translator counts the units of straight-line code as it goes and subtracts them from
//! the store's fuel cell at every point where control leaves the line: before a branch, a
//! call, a block end, a loop entry or a throw. So every basic block starts with nothing
//! pending, each operator is paid for before anything after it runs, and the store's cell is
//! exact whenever a call, a host function or a trap can see it. The subtraction traps with
//! "all fuel consumed by WebAssembly" when the cell goes below zero.
use super::env::{llvm_err, Heap, Res};
use super::func::FuncTx;
use crate::runtime::vm::{offset, trap_code};
use inkwell::values::{BasicValue, PointerValue};
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

/// Whether control may leave straight-line code at `op`: the pending fuel is paid first.
fn leaves_line(op: &Operator) -> bool {
    matches!(
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
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
            | Operator::CallRef { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. }
            | Operator::TryTable { .. }
            | Operator::Throw { .. }
            | Operator::ThrowRef
    )
}

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    fn limit_cells(&self) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        Ok(env
            .load_field(self.vmctx, offset::LIMITS, env.ptr().into())?
            .into_pointer_value())
    }

    /// Account for `op` (reachable code only): add its cost, and pay what is pending when
    /// control may leave the line there.
    pub(crate) fn count_fuel(&mut self, op: &Operator) -> Res<()> {
        if !self.env.settings.consume_fuel {
            return Ok(());
        }
        self.fuel_pending += fuel_cost(op);
        if leaves_line(op) {
            self.pay_fuel()?;
        }
        Ok(())
    }

    /// Subtract the pending fuel from the store's cell; trap when it goes below zero.
    fn pay_fuel(&mut self) -> Res<()> {
        let pending = std::mem::take(&mut self.fuel_pending);
        if pending == 0 {
            return Ok(());
        }
        let env = self.env;
        let cell = env.field_ptr(self.limit_cells()?, offset::LIMIT_FUEL)?;
        let b = &env.b;
        let fuel = b
            .build_load(env.i64(), cell, "fuel")
            .map_err(llvm_err)?
            .into_int_value();
        env.tag(fuel.as_instruction_value().ok_or("load")?, Heap::Runtime)?;
        let left = b
            .build_int_sub(fuel, env.i64().const_int(pending, false), "fuel_left")
            .map_err(llvm_err)?;
        let st = b.build_store(cell, left).map_err(llvm_err)?;
        env.tag(st, Heap::Runtime)?;
        let out = b
            .build_int_compare(IntPredicate::SLT, left, env.i64().const_zero(), "no_fuel")
            .map_err(llvm_err)?;
        self.trap_if(out, trap_code::OUT_OF_FUEL)
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
