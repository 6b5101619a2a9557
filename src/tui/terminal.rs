//! Entering and leaving the full-screen terminal, in one place.
//!
//! [`enter`] switches to raw mode and the alternate screen, turns on
//! bracketed paste (and mouse capture if configured), and installs a panic
//! hook that restores the terminal before the panic message prints. The
//! returned [`Guard`] restores it when dropped, so every exit path (quit,
//! error, SIGTERM/SIGHUP handled by the loop, panic) leaves a usable shell.
//! Restoring twice is harmless.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);
static ENHANCED: AtomicBool = AtomicBool::new(false);

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

pub fn enter(mouse: bool) -> io::Result<(Term, Guard)> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = Guard(());
    set_modes(mouse)?;
    // No `terminal.clear()`: it asks the terminal for the cursor position
    // and waits for the answer (a round trip over SSH, and a stall on
    // terminals that never answer). The alternate screen starts blank and
    // the first frame draws every cell that is not.
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((terminal, guard))
}

/// Gives the terminal to another program (an editor) as a shell would:
/// main screen, cooked mode. [`resume`] takes it back.
pub fn suspend() {
    restore();
}

/// Takes the terminal back after [`suspend`] and makes the next frame
/// redraw every cell (what the other program drew is gone).
pub fn resume(terminal: &mut Term, mouse: bool) -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    set_modes(mouse)?;
    execute!(
        io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // An empty frame makes ratatui's idea of the screen blank too, so the
    // next frame is drawn in full (`Terminal::clear` would also do that, but
    // waits for a cursor-position answer).
    terminal.draw(|_| {})?;
    Ok(())
}

fn set_modes(mouse: bool) -> io::Result<()> {
    MOUSE.store(mouse, Ordering::SeqCst);
    let mut stdout = io::stdout();
    execute!(stdout, EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        execute!(stdout, EnableMouseCapture)?;
    }
    // Ask terminals that speak the kitty keyboard protocol to tell
    // Shift-Enter from Enter. Others ignore the request (Alt-Enter and
    // Ctrl-J insert a newline everywhere). Not queried first: the query
    // waits for an answer some terminals never send, delaying the first
    // frame.
    execute!(
        stdout,
        PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
    )?;
    ENHANCED.store(true, Ordering::SeqCst);
    Ok(())
}

/// Puts the terminal back as the shell expects it. Idempotent.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut stdout = io::stdout();
    if ENHANCED.swap(false, Ordering::SeqCst) {
        let _ = execute!(stdout, PopKeyboardEnhancementFlags);
    }
    if MOUSE.load(Ordering::SeqCst) {
        let _ = execute!(stdout, DisableMouseCapture);
    }
    let _ = execute!(stdout, DisableBracketedPaste, LeaveAlternateScreen, Show);
    let _ = disable_raw_mode();
    let _ = stdout.flush();
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
