//! Static types over the raw slots: `WasmTy` for one value, `WasmParams`/`WasmResults` for
//! tuples of them, `TypedFunc` for calls checked once, and `IntoFunc` for host closures.
use super::store::{AsContextMut, Caller};
use super::Func;
use crate::runtime::{Trap, ValRaw};
use std::marker::PhantomData;
use wasmparser::ValType;

/// A Rust type that is one wasm value.
pub trait WasmTy: Copy + Send + Sync + 'static {
    fn valtype() -> ValType;
    fn from_raw(raw: ValRaw) -> Self;
    fn into_raw(self) -> ValRaw;
}

macro_rules! wasm_ty {
    ($($t:ty => $vt:ident, |$r:ident| $from:expr, |$v:ident| $into:expr;)*) => {$(
        impl WasmTy for $t {
            fn valtype() -> ValType {
                ValType::$vt
            }
            fn from_raw($r: ValRaw) -> Self {
                $from
            }
            fn into_raw(self) -> ValRaw {
                let $v = self;
                $into
            }
        }
    )*};
}

wasm_ty! {
    i32 => I32, |r| r.i32(), |v| ValRaw::from_i32(v);
    u32 => I32, |r| r.u32(), |v| ValRaw::from_i32(v as i32);
    i64 => I64, |r| r.i64(), |v| ValRaw::from_i64(v);
    u64 => I64, |r| r.u64(), |v| ValRaw::from_u64(v);
    f32 => F32, |r| f32::from_bits(r.u32()), |v| ValRaw::from_u64(u64::from(v.to_bits()));
    f64 => F64, |r| f64::from_bits(r.u64()), |v| ValRaw::from_u64(v.to_bits());
    u128 => V128, |r| r.v128(), |v| ValRaw::from_v128(v);
}

/// Parameters of a typed call: `()`, one [`WasmTy`], or a tuple of them.
pub trait WasmParams: Send + Sync + 'static {
    /// How many values: known at compile time, so a call needs no type list.
    const COUNT: usize;
    fn types() -> Vec<ValType>;
    /// Write the values to the first slots.
    fn store(self, slots: &mut [ValRaw]);
}

/// Results of a typed call or host function: `()`, one [`WasmTy`], or a tuple of them.
pub trait WasmResults: Sized + Send + Sync + 'static {
    const COUNT: usize;
    fn types() -> Vec<ValType>;
    fn load(slots: &[ValRaw]) -> Self;
    fn store(self, slots: &mut [ValRaw]);
}

impl<A: WasmTy> WasmParams for A {
    const COUNT: usize = 1;
    fn types() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn store(self, slots: &mut [ValRaw]) {
        slots[0] = self.into_raw();
    }
}

impl<A: WasmTy> WasmResults for A {
    const COUNT: usize = 1;
    fn types() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn load(slots: &[ValRaw]) -> Self {
        A::from_raw(slots[0])
    }
    fn store(self, slots: &mut [ValRaw]) {
        slots[0] = self.into_raw();
    }
}

/// 1 for each repetition (counts a macro's tuple elements in a constant).
macro_rules! one {
    ($t:ident) => {
        1
    };
}

macro_rules! tuples {
    ($(($($t:ident $i:tt),*);)*) => {$(
        impl<$($t: WasmTy),*> WasmParams for ($($t,)*) {
            const COUNT: usize = 0 $(+ one!($t))*;
            fn types() -> Vec<ValType> {
                vec![$($t::valtype()),*]
            }
            #[allow(unused_variables)]
            fn store(self, slots: &mut [ValRaw]) {
                $(slots[$i] = self.$i.into_raw();)*
            }
        }

        impl<$($t: WasmTy),*> WasmResults for ($($t,)*) {
            const COUNT: usize = 0 $(+ one!($t))*;
            fn types() -> Vec<ValType> {
                vec![$($t::valtype()),*]
            }
            #[allow(unused_variables, clippy::unused_unit)]
            fn load(slots: &[ValRaw]) -> Self {
                ($($t::from_raw(slots[$i]),)*)
            }
            #[allow(unused_variables)]
            fn store(self, slots: &mut [ValRaw]) {
                $(slots[$i] = self.$i.into_raw();)*
            }
        }
    )*};
}

tuples! {
    ();
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
    (A 0, B 1, C 2, D 3, E 4);
    (A 0, B 1, C 2, D 3, E 4, F 5);
}

/// Slots for one typed call, on the stack.
pub(crate) const INLINE_SLOTS: usize = 16;

/// A function whose type was checked once ([`Func::typed`]): calls convert with no checks
/// and no allocation.
pub struct TypedFunc<P, R> {
    func: Func,
    _types: PhantomData<fn(P) -> R>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, R> Copy for TypedFunc<P, R> {}

impl<P: WasmParams, R: WasmResults> TypedFunc<P, R> {
    pub(crate) fn new(func: Func) -> Self {
        TypedFunc {
            func,
            _types: PhantomData,
        }
    }

    pub fn func(&self) -> Func {
        self.func
    }

    pub fn call(&self, store: impl AsContextMut, params: P) -> anyhow::Result<R> {
        // Tuples stop at 6 values, so the slots always fit on the stack; the count is a
        // constant, so a call builds no type list.
        const { assert!(P::COUNT <= INLINE_SLOTS && R::COUNT <= INLINE_SLOTS) };
        let wanted = P::COUNT.max(R::COUNT).max(1);
        let mut slots = [ValRaw::default(); INLINE_SLOTS];
        params.store(&mut slots);
        self.func.call_raw(store, &mut slots[..wanted])?;
        Ok(R::load(&slots))
    }
}

/// What a host closure may return: its results, or its results or a trap.
pub trait HostResult: Send + 'static {
    type Results: WasmResults;
    fn into_result(self) -> Result<Self::Results, Trap>;
}

impl<R: WasmResults> HostResult for R {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        Ok(self)
    }
}

impl<R: WasmResults> HostResult for Result<R, Trap> {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        self
    }
}

impl<R: WasmResults> HostResult for anyhow::Result<R> {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        self.map_err(|e| match e.downcast::<Trap>() {
            Ok(trap) => trap,
            Err(other) => Trap::host(format!("{other:#}")),
        })
    }
}

/// The type-erased form a host closure is kept in: arguments in the slots on entry, results
/// there on return.
pub(crate) type HostCall<T> =
    std::sync::Arc<dyn Fn(Caller<'_, T>, &mut [ValRaw]) -> Result<(), Trap> + Send + Sync>;

/// A Rust closure usable as a host function: `Fn(Caller<'_, T>, A, B, ...) -> R` or
/// `Fn(A, B, ...) -> R`, where the arguments are [`WasmTy`] and `R` is a [`HostResult`].
/// `Params` only tells the two shapes apart.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_host(self) -> (wasmparser::FuncType, HostCall<T>);
}

/// Marks the closure shape that takes a [`Caller`] first.
pub struct WithCaller<P>(PhantomData<P>);

/// The part both closure shapes share: the function type from the argument and result types,
/// and the erased call that stores the closure's results in the slots.
fn host_call<T, R: HostResult>(
    params: Vec<ValType>,
    call: impl Fn(Caller<'_, T>, &mut [ValRaw]) -> R + Send + Sync + 'static,
) -> (wasmparser::FuncType, HostCall<T>) {
    let ty = wasmparser::FuncType::new(params, <R::Results as WasmResults>::types());
    let call: HostCall<T> = std::sync::Arc::new(move |caller, slots| {
        let results = call(caller, slots).into_result()?;
        results.store(slots);
        Ok(())
    });
    (ty, call)
}

macro_rules! into_func {
    ($(($($a:ident $i:tt),*);)*) => {$(
        impl<T: 'static, F, R, $($a: WasmTy),*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: HostResult,
        {
            fn into_host(self) -> (wasmparser::FuncType, HostCall<T>) {
                #[allow(unused_variables)]
                host_call(vec![$($a::valtype()),*], move |_caller, slots| {
                    self($($a::from_raw(slots[$i])),*)
                })
            }
        }

        impl<T: 'static, F, R, $($a: WasmTy),*> IntoFunc<T, WithCaller<($($a,)*)>, R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: HostResult,
        {
            fn into_host(self) -> (wasmparser::FuncType, HostCall<T>) {
                #[allow(unused_variables)]
                host_call(vec![$($a::valtype()),*], move |caller, slots| {
                    self(caller, $($a::from_raw(slots[$i])),*)
                })
            }
        }
    )*};
}

into_func! {
    ();
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
    (A 0, B 1, C 2, D 3, E 4);
    (A 0, B 1, C 2, D 3, E 4, F6 5);
    (A 0, B 1, C 2, D 3, E 4, F6 5, G 6);
    (A 0, B 1, C 2, D 3, E 4, F6 5, G 6, H 7);
    (A 0, B 1, C 2, D 3, E 4, F6 5, G 6, H 7, I 8);
}
