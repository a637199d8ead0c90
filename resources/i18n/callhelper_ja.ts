<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>BarChart</name>
    <message>
        <source>Target: %1</source>
        <translation>目標: %1</translation>
    </message>
</context>
<context>
    <name>BoardModel</name>
    <message>
        <source>Hand</source>
        <extracomment>The board&apos;s times run on once a second.</extracomment>
        <translation>挙手</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>オペレーター</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>お客様</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>通話時間</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>手順</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>要注意発言</translation>
    </message>
    <message>
        <source>Escalations</source>
        <translation>引き継ぎ</translation>
    </message>
    <message>
        <source>Answered: %1</source>
        <translation>応答済み: %1</translation>
    </message>
    <message>
        <source>Hand %1</source>
        <translation>挙手 %1</translation>
    </message>
    <message>
        <source>late</source>
        <translation>遅れて届いた</translation>
    </message>
    <message>
        <source>(not known yet)</source>
        <translation>(まだ届いていません)</translation>
    </message>
    <message>
        <source>on hold</source>
        <translation>保留中</translation>
    </message>
    <message>
        <source>wrap-up</source>
        <translation>後処理</translation>
    </message>
    <message>
        <source>past the limit</source>
        <translation>上限超過</translation>
    </message>
    <message>
        <source>%1 (overdue)</source>
        <translation>%1 (目標時間超過)</translation>
    </message>
    <message>
        <source>%1 confirmed</source>
        <translation>確認済み %1</translation>
    </message>
    <message>
        <source>%1 suspected</source>
        <translation>疑い %1</translation>
    </message>
</context>
<context>
    <name>BoardWindow</name>
    <message>
        <source>Supervisor board</source>
        <translation>SVボード</translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation>サーバーに接続中…</translation>
    </message>
    <message>
        <source>A short answer to the selected hand… Enter sends</source>
        <translation>選んだ挙手への短い返答… Enter で送信</translation>
    </message>
    <message>
        <source>1 I&apos;m coming · 2 Hold and wait · 3 I&apos;ll take over · T a short answer · Enter the call&apos;s notes</source>
        <translation>1 今行きます · 2 保留にして待ってください · 3 引き継ぎます · T 短い返答 · Enter 通話のメモ</translation>
    </message>
    <message>
        <source>Only supervisors see the board: the login %1 is not one.</source>
        <translation>SVボードは上司(SV)だけが開けます: ログイン %1 は上司ではありません。</translation>
    </message>
    <message>
        <source>Signed in: %1 — %2 · calls: %3 · hands waiting: %4</source>
        <translation>在席: %1 人 — %2 · 通話中: %3 件 · 挙手待ち: %4 件</translation>
    </message>
    <message>
        <source>Live · updated %1</source>
        <translation>ライブ · %1 更新</translation>
    </message>
    <message>
        <source>Connection to the server lost at %1: the calls below are as they were then, not live. Reconnecting…</source>
        <translation>%1 にサーバーとの接続が切れました。下の通話はその時点のもので、最新ではありません。再接続中…</translation>
    </message>
    <message>
        <source>No raised hand on the selected call.</source>
        <translation>選んだ通話に挙手はありません。</translation>
    </message>
    <message>
        <source>That hand is answered already.</source>
        <translation>その挙手には応答済みです。</translation>
    </message>
    <message>
        <source>Answered %1: %2</source>
        <translation>%1 さんに応答しました: %2</translation>
    </message>
    <message>
        <source>Not answered: the hand was lowered or answered meanwhile.</source>
        <translation>応答していません: その間に挙手が下ろされたか、すでに応答済みです。</translation>
    </message>
    <message>
        <source>Not answered: the server cannot be reached (%1).</source>
        <translation>応答していません: サーバーに接続できません (%1)。</translation>
    </message>
    <message>
        <source>The call&apos;s notes could not be read: %1</source>
        <translation>通話のメモを読めませんでした: %1</translation>
    </message>
    <message>
        <source>Notes of %1&apos;s call with %2</source>
        <translation>%1 さんの通話のメモ(お客様: %2)</translation>
    </message>
    <message>
        <source>(not known yet)</source>
        <translation>(まだ届いていません)</translation>
    </message>
    <message>
        <source>(no notes yet)</source>
        <translation>(メモはまだありません)</translation>
    </message>
</context>
<context>
    <name>CallController</name>
    <message>
        <source>A change could not be saved; details are in the log.</source>
        <extracomment>While the database cannot be written (at start), how often opening it is tried again. The reasons for a raised hand, in the order of their keys (1-4): store/live.py&apos;s REASONS. How long changes of the call are gathered before the board&apos;s row is published. Why the database could not be opened for writing at start (its folder read-only): the window works on, its writes journalled (WriteQueue.hold); None once it opens.</extracomment>
        <translation>変更を保存できませんでした。詳細はログにあります。</translation>
    </message>
    <message>
        <source>Resumed the call that started at %1</source>
        <translation>%1 に始まった通話を再開しました</translation>
    </message>
    <message>
        <source>Another call is ringing: %1</source>
        <translation>別の電話が鳴っています: %1</translation>
    </message>
    <message>
        <source>Unknown caller</source>
        <translation>番号・名前不明のお客様</translation>
    </message>
    <message>
        <source>✓ The database can be written again: what was kept meanwhile is saved</source>
        <translation>✓ データベースに再び書き込めるようになりました。その間に保管した内容を保存しました</translation>
    </message>
    <message>
        <source>Another call is ringing: %1 — it waits until the wrap-up is saved (Ctrl+S)</source>
        <translation>別の電話が鳴っています: %1 — 後処理の保存(Ctrl+S)の後に表示します</translation>
    </message>
    <message>
        <source>✓ Profile saved</source>
        <translation>✓ プロフィールを保存しました</translation>
    </message>
    <message>
        <source>Call closed; kept until the database can be written</source>
        <translation>通話を閉じました。データベースに書き込めるようになるまで保管します</translation>
    </message>
    <message>
        <source>✓ Call closed and saved</source>
        <translation>✓ 通話を保存して閉じました</translation>
    </message>
    <message>
        <source>Ringing: %1</source>
        <translation>着信中: %1</translation>
    </message>
    <message>
        <source>Not saved: a note holds at most %1 characters, this one has %2. It stays in the entry; save it in parts.</source>
        <translation>保存していません: メモは最大 %1 文字ですが、これは %2 文字あります。入力欄に残してあるので、分けて保存してください。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>保存中…</translation>
    </message>
    <message>
        <source>✓ A note sent again was saved before; it is not stored twice</source>
        <translation>✓ 再送されたメモは保存済みです。二重には保存しません</translation>
    </message>
    <message>
        <source>✓ Saved %1</source>
        <translation>✓ 保存済み %1</translation>
    </message>
    <message>
        <source>card number masked</source>
        <translation>カード番号を伏せ字にしました</translation>
    </message>
    <message>
        <source>%1 characters that cannot be stored replaced by �</source>
        <translation>保存できない文字 %1 個を � に置き換えました</translation>
    </message>
    <message>
        <source>This note could not be saved; it is back in the entry.</source>
        <translation>このメモは保存できませんでした。入力欄に戻しました。</translation>
    </message>
    <message>
        <source>A note of the previous call could not be saved: %1</source>
        <translation>前の通話のメモを保存できませんでした: %1</translation>
    </message>
    <message>
        <source>Nothing to correct</source>
        <translation>訂正はありません</translation>
    </message>
    <message>
        <source>A note cannot be empty; Ctrl+Delete deletes it.</source>
        <translation>メモは空にできません。削除は Ctrl+Delete です。</translation>
    </message>
    <message>
        <source>✓ Note corrected; the first words stay in the audit trail</source>
        <translation>✓ メモを訂正しました(元の言葉は監査記録に残ります)</translation>
    </message>
    <message>
        <source>Deleted — Ctrl+Z to undo</source>
        <translation>削除しました — Ctrl+Z で元に戻せます</translation>
    </message>
    <message>
        <source>✓ Note restored (%1)</source>
        <translation>✓ メモを元に戻しました（%1）</translation>
    </message>
    <message>
        <source>the call is long</source>
        <translation>通話が長い</translation>
    </message>
    <message>
        <source>past the call limit (restraint)</source>
        <translation>通話時間の上限超過(拘束)</translation>
    </message>
    <message>
        <source>suspected harassment</source>
        <translation>カスハラの疑い</translation>
    </message>
    <message>
        <source>a case that may be unresolved (%1 calls in %2 days)</source>
        <translation>未解決の可能性がある案件(%2 日間に %1 回の入電)</translation>
    </message>
    <message>
        <source>Handoff (second response)</source>
        <translation>二次対応 引き継ぎ</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>お客様</translation>
    </message>
    <message>
        <source>First agent</source>
        <translation>一次対応のオペレーター</translation>
    </message>
    <message>
        <source>Call time</source>
        <translation>通話時間</translation>
    </message>
    <message>
        <source>Why now</source>
        <translation>引き継ぎの理由</translation>
    </message>
    <message>
        <source>Done so far (apologies included)</source>
        <translation>対応済み(お詫びを含む)</translation>
    </message>
    <message>
        <source>Urgency / impact</source>
        <translation>緊急度・重要度</translation>
    </message>
    <message>
        <source>Facts</source>
        <translation>事実</translation>
    </message>
    <message>
        <source>The customer&apos;s words</source>
        <translation>お客様の言葉</translation>
    </message>
    <message>
        <source>Requests (validity to check)</source>
        <translation>要望(妥当性の確認が必要)</translation>
    </message>
    <message>
        <source>Promises made</source>
        <translation>約束したこと</translation>
    </message>
    <message>
        <source>Flagged statements</source>
        <translation>要注意発言の記録</translation>
    </message>
    <message>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>not assessed yet</source>
        <translation>まだ確認していません</translation>
    </message>
    <message>
        <source>Taken over by %1</source>
        <translation>%1 が引き継ぎました</translation>
    </message>
    <message>
        <source>No team board here: raise your hand for real.</source>
        <translation>チームのボードはありません。実際に手を挙げてください。</translation>
    </message>
    <message>
        <source>A hand is raised during a call.</source>
        <translation>挙手は通話中にできます。</translation>
    </message>
    <message>
        <source>Hand lowered</source>
        <translation>挙手を下ろしました</translation>
    </message>
</context>
<context>
    <name>CallHeader</name>
    <message>
        <source>Start F7</source>
        <translation>開始 F7</translation>
    </message>
    <message>
        <source>Hold F8</source>
        <translation>保留 F8</translation>
    </message>
    <message>
        <source>End F9</source>
        <translation>終了 F9</translation>
    </message>
    <message>
        <source>On top</source>
        <translation>最前面</translation>
    </message>
    <message>
        <source>Keep this window above the others (Ctrl+T)</source>
        <translation>このウィンドウを常に最前面に表示 (Ctrl+T)</translation>
    </message>
    <message>
        <source>History</source>
        <translation>履歴</translation>
    </message>
    <message>
        <source>Cases and search (Ctrl+H)</source>
        <translation>案件と検索 (Ctrl+H)</translation>
    </message>
    <message>
        <source>Export notes or cases to CSV (Ctrl+Shift+E)</source>
        <translation>メモや案件を CSV に書き出す (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>Settings (Ctrl+,)</source>
        <translation>設定 (Ctrl+,)</translation>
    </message>
    <message>
        <source>Resume F8</source>
        <translation>再開 F8</translation>
    </message>
    <message>
        <source>No call</source>
        <translation>通話なし</translation>
    </message>
    <message>
        <source>In call</source>
        <translation>通話中</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>保留中</translation>
    </message>
    <message>
        <source>Wrap-up</source>
        <translation>後処理</translation>
    </message>
    <message>
        <source>Ready for the next call</source>
        <translation>次の電話を待っています</translation>
    </message>
    <message>
        <source>%1</source>
        <comment>the caller&apos;s name, with an honorific</comment>
        <translation>%1 様</translation>
    </message>
    <message>
        <source>Unknown caller</source>
        <translation>番号・名前不明のお客様</translation>
    </message>
    <message>
        <source>%1 calls in %2 days</source>
        <translation>%2日で%1回目の入電</translation>
    </message>
    <message>
        <source>New caller — Ctrl+P adds a profile</source>
        <translation>初めてのお客様 — Ctrl+P でプロフィールを追加</translation>
    </message>
    <message>
        <source>Handler: %1</source>
        <translation>オペレーター: %1</translation>
    </message>
    <message>
        <source>Case: %1 (Alt+C)</source>
        <translation>案件: %1 (Alt+C)</translation>
    </message>
    <message>
        <source>New case (Alt+C)</source>
        <translation>新しい案件 (Alt+C)</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>「%1」</translation>
    </message>
    <message>
        <source>(no subject yet)</source>
        <translation>(件名なし)</translation>
    </message>
    <message>
        <source>New case</source>
        <translation>新しい案件</translation>
    </message>
</context>
<context>
    <name>CallWindow</name>
    <message>
        <source>Nothing to undo</source>
        <translation>元に戻す操作はありません</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>緊急度</translation>
    </message>
    <message>
        <source>Impact</source>
        <translation>重要度</translation>
    </message>
    <message>
        <source>The wrap-up could not be saved; see the log.</source>
        <translation>後処理を保存できませんでした。ログを確認してください。</translation>
    </message>
    <message>
        <source>Not closed: the waiting notes can neither be saved nor kept for the next start (the disk is full or cannot be written). Free some space, then close again.</source>
        <translation>閉じていません: 待機中のメモを保存することも、次回の起動のために残すこともできません(ディスクがいっぱいか、書き込めません)。空きを作ってから、もう一度閉じてください。</translation>
    </message>
    <message>
        <source>Settings not read (%1): the defaults are used, and the file stays as it is until the settings are saved.</source>
        <translation>設定を読めませんでした(%1)。既定値を使います。設定を保存するまでファイルはそのままです。</translation>
    </message>
    <message>
        <source>The database could not be opened. Details are in the log: %1</source>
        <translation>データベースを開けませんでした。詳細はログにあります: %1</translation>
    </message>
    <message>
        <source>✓ %1 writes kept from the last session are now saved</source>
        <translation>✓ 前回保存できなかった %1 件を保存しました</translation>
    </message>
</context>
<context>
    <name>CallerPanel</name>
    <message>
        <source>e.g. phone only, never reads e-mail</source>
        <translation>例: 電話のみ(メールは見ない)</translation>
    </message>
    <message>
        <source>e.g. not on Wednesday afternoons</source>
        <translation>例: 水曜午後は不在</translation>
    </message>
    <message>
        <source>What every agent should know</source>
        <translation>オペレーター全員に知ってほしいこと</translation>
    </message>
    <message>
        <source>e.g. 090-1234-5678, 03-9876-5432</source>
        <translation>例: 090-1234-5678, 03-9876-5432</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>お名前</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>会社名</translation>
    </message>
    <message>
        <source>Contact by</source>
        <translation>連絡方法</translation>
    </message>
    <message>
        <source>Unavailable</source>
        <translation>連絡不可の時間</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>Other numbers</source>
        <translation>ほかの電話番号</translation>
    </message>
    <message>
        <source>Enter saves · Esc closes</source>
        <translation>Enterで保存 · Escで閉じる</translation>
    </message>
    <message>
        <source>due %1</source>
        <translation>期限 %1</translation>
    </message>
    <message>
        <source>no due time</source>
        <translation>期限なし</translation>
    </message>
    <message>
        <source>⚠ Promise overdue</source>
        <translation>⚠ 約束 期限超過</translation>
    </message>
    <message>
        <source>Open promise</source>
        <translation>約束(未完了)</translation>
    </message>
    <message>
        <source>Contact by: %1</source>
        <translation>連絡方法: %1</translation>
    </message>
    <message>
        <source>Also calls from %1</source>
        <translation>ほかの番号: %1</translation>
    </message>
</context>
<context>
    <name>CasesModel</name>
    <message>
        <source>Last contact</source>
        <extracomment>The roles any of the tables answers; the view asks for a dozen more per cell.</extracomment>
        <translation>最終連絡</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>お客様</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状況</translation>
    </message>
    <message>
        <source>Handlers</source>
        <translation>対応したオペレーター</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>要注意発言</translation>
    </message>
    <message>
        <source>Escalated to a senior</source>
        <translation>二次対応あり</translation>
    </message>
</context>
<context>
    <name>ChartWidget</name>
    <message>
        <source>No data</source>
        <translation>データがありません</translation>
    </message>
</context>
<context>
    <name>ChecklistPanel</name>
    <message>
        <source>Urgency Alt+U</source>
        <translation>緊急度 Alt+U</translation>
    </message>
    <message>
        <source>Impact Alt+I</source>
        <translation>重要度 Alt+I</translation>
    </message>
    <message>
        <source>not assessed</source>
        <translation>未確認</translation>
    </message>
    <message>
        <source>All steps done.</source>
        <translation>すべての項目が完了しました。</translation>
    </message>
    <message>
        <source>, </source>
        <translation>・</translation>
    </message>
    <message>
        <source>Say:</source>
        <translation>言う:</translation>
    </message>
    <message>
        <source>Avoid:</source>
        <translation>避ける:</translation>
    </message>
</context>
<context>
    <name>CtiEndpoint</name>
    <message>
        <source>Port %1 is already in use by another program: choose another port for the phone system in the settings.</source>
        <extracomment>Seconds a client may take over one socket operation, to send its request line and headers, and over its whole request. Admitted requests handled at once, and connections still sending their headers: in all, and from one client.</extracomment>
        <translation>ポート %1 は別のプログラムが使っています。設定で電話システム用に別のポートを選んでください。</translation>
    </message>
    <message>
        <source>Cannot receive calls from the phone system on port %1: %2</source>
        <translation>ポート %1 で電話システムからの着信を受け取れません: %2</translation>
    </message>
</context>
<context>
    <name>DailyUpkeep</name>
    <message>
        <source>The database file is damaged. Notes are still being saved, but restart CallHelper soon: it will set the damaged file aside and offer the latest backup.</source>
        <extracomment>Tries at emptying the write-ahead log after a purge, and the wait between them.</extracomment>
        <translation>データベースファイルが破損しています。メモは引き続き保存されていますが、早めに CallHelper を再起動してください。破損したファイルを別の場所に移し、最新のバックアップを提案します。</translation>
    </message>
    <message>
        <source>Today&apos;s backup could not be made; details are in the log. It is tried again at the next start.</source>
        <translation>今日のバックアップを作れませんでした。詳細はログにあります。次回の起動時にもう一度試します。</translation>
    </message>
    <message>
        <source>Old cases could not be deleted as the retention setting asks; details are in the log.</source>
        <translation>保存期間の設定どおりに古い案件を削除できませんでした。詳細はログにあります。</translation>
    </message>
</context>
<context>
    <name>EvidenceReport</name>
    <message>
        <source>Harassment evidence — case #%1</source>
        <extracomment>A context note longer than this is shortened in the report (the CSV has it in full). Of the statements table, in per cent: no., time, statement, category, recorded by.</extracomment>
        <translation>ハラスメントの記録 — 案件 #%1</translation>
    </message>
    <message>
        <source>Case #%1 · generated %2 by %3 · CallHelper %4</source>
        <translation>案件 #%1 · %2 に %3 が作成 · CallHelper %4</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>%1 / %2 ページ</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(件名なし)</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>お客様</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>受付日</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状況</translation>
    </message>
    <message>
        <source>Statements an agent confirmed as harassment or flagged by hand, recorded word for word during the calls, with the notes taken just before and after them.</source>
        <translation>オペレーターがカスハラと確認した発言、またはオペレーターが指摘した発言を、通話中に一字一句そのまま記録したものです。直前・直後のメモを添えています。</translation>
    </message>
    <message>
        <source>The words are exactly as the agent recorded them during the call; card numbers were masked when they were recorded. Times are local time with their offset from UTC; the time into the call counts from the start of that call. Notes in grey are context: the note taken just before and just after the statement in the same call; a long one is shortened (…), the CSV export has it in full. Flags the detector suspected and no agent reviewed are not evidence and are only counted; dismissed ones are listed apart.</source>
        <translation>発言はオペレーターが通話中に記録したとおりです。カード番号は記録時にマスクされています。時刻は現地時刻(UTC との差を併記)、通話内の時間はその通話の開始からの経過です。灰色のメモは前後関係です(同じ通話で発言の直前・直後に取ったメモ)。長いものは省略(…)しています。CSV には全文があります。自動検出で疑いがあるだけで、オペレーターがまだ確認していない発言は記録に含めず、件数だけを示します。疑いを取り消したものは別に記載しています。</translation>
    </message>
    <message>
        <source>Audit trail when this report was made: %1 entries, the last one&apos;s hash %2. The database still holds this end unless it was cut short or rewritten since: check it with callhelper verify --against %1:%2 (or with this file).</source>
        <translation>このレポート作成時の監査証跡: %1 件、最後の項目のハッシュ %2。その後に証跡が切り詰められたり書き換えられたりしていなければ、データベースはこの末尾を保持しています。callhelper verify --against %1:%2(またはこのファイル)で確認できます。</translation>
    </message>
    <message>
        <source>Confirmed or flagged statements</source>
        <translation>確認・指摘された発言</translation>
    </message>
    <message>
        <source>Categories</source>
        <translation>区分</translation>
    </message>
    <message>
        <source>Suspected, not reviewed</source>
        <translation>疑いのみ(未確認)</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>時刻</translation>
    </message>
    <message>
        <source>Statement (context in grey)</source>
        <translation>発言(灰色は前後のメモ)</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>区分</translation>
    </message>
    <message>
        <source>Recorded by</source>
        <translation>記録したオペレーター</translation>
    </message>
    <message>
        <source>senior</source>
        <translation>上司</translation>
    </message>
    <message>
        <source>Call started %1 · handled by %2</source>
        <translation>通話開始 %1 · オペレーター %2</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>発信元 %1</translation>
    </message>
    <message>
        <source>%1 into the call</source>
        <translation>通話開始から %1</translation>
    </message>
    <message>
        <source>Edited %1; the words as first recorded are kept in the audit trail.</source>
        <translation>%1 に訂正。最初に記録された言葉は監査記録に残っています。</translation>
    </message>
    <message>
        <source>confirmed by</source>
        <translation>確認:</translation>
    </message>
    <message>
        <source>added by</source>
        <translation>指摘:</translation>
    </message>
    <message>
        <source>at</source>
        <translation>/</translation>
    </message>
    <message>
        <source>%1 into the call · %2 — dismissed by %3 at %4</source>
        <translation>通話開始から %1 · %2 — %3 が疑いを取り消し(%4)</translation>
    </message>
    <message>
        <source>Suspicions dismissed by an agent (not evidence)</source>
        <translation>オペレーターが疑いを取り消した発言(記録の対象外)</translation>
    </message>
</context>
<context>
    <name>ExportColumns</name>
    <message>
        <source>Case no.</source>
        <translation>案件番号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>お客様名</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>Call started</source>
        <translation>通話開始日時</translation>
    </message>
    <message>
        <source>Seconds into the call</source>
        <translation>通話開始からの秒数</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>種類</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Suspected harassment</source>
        <translation>カスハラの疑い</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>要望</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>オペレーター</translation>
    </message>
    <message>
        <source>Flag review</source>
        <translation>疑いの確認状況</translation>
    </message>
    <message>
        <source>Promise due</source>
        <translation>約束の期限</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>受付日時</translation>
    </message>
    <message>
        <source>Last contact</source>
        <translation>最終対応日時</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状況</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>緊急度</translation>
    </message>
    <message>
        <source>Impact</source>
        <translation>重要度</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>対処</translation>
    </message>
    <message>
        <source>Prevention</source>
        <translation>再発防止</translation>
    </message>
    <message>
        <source>Agents</source>
        <translation>対応したオペレーター</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>通話数</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>メモ数</translation>
    </message>
    <message>
        <source>Flagged statements</source>
        <translation>カスハラの疑いのある発言数</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Notes (one row per note)</source>
        <translation>メモ(1行に1件のメモ)</translation>
    </message>
    <message>
        <source>Cases (one row per case)</source>
        <translation>案件(1行に1件の案件)</translation>
    </message>
    <message>
        <source>CSV (.csv)</source>
        <translation>CSV (.csv)</translation>
    </message>
    <message>
        <source>Excel workbook (.xlsx)</source>
        <translation>Excel ブック (.xlsx)</translation>
    </message>
    <message>
        <source>Column names and values as ids (for scripts)</source>
        <translation>列名と値を ID のまま書き出す(スクリプト用)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>期間</translation>
    </message>
    <message>
        <source>To</source>
        <translation>〜</translation>
    </message>
    <message>
        <source>All agents</source>
        <translation>すべてのオペレーター</translation>
    </message>
    <message>
        <source>Only mine (%1)</source>
        <translation>自分の分だけ (%1)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>選択…</translation>
    </message>
    <message>
        <source>Choose the file (%1)</source>
        <translation>ファイルを選択 (%1)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>書き出す</translation>
    </message>
    <message>
        <source>Dates</source>
        <translation>期間</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>オペレーター</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel ブック (*.xlsx)</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>書き出し先</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV ファイル (*.csv)</translation>
    </message>
    <message>
        <source>Export</source>
        <comment>window title</comment>
        <translation>書き出し</translation>
    </message>
    <message>
        <source>Choose the file to write.</source>
        <translation>書き出すファイルを選んでください。</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>件数を数えています…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>取り消し中…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Writing %1 rows…</source>
        <translation>%1 行を書き出し中…</translation>
    </message>
    <message>
        <source>✓ %1 notes written to %2</source>
        <translation>✓ %1 件のメモを %2 に書き出しました</translation>
    </message>
    <message>
        <source>✓ %1 cases written to %2</source>
        <translation>✓ %1 件の案件を %2 に書き出しました</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>書き出しを取り消しました。ファイルは書かれていません。</translation>
    </message>
    <message>
        <source>The file %1 could not be written: %2</source>
        <translation>ファイル %1 を書けませんでした: %2</translation>
    </message>
    <message>
        <source>An Excel sheet holds at most %1 rows: export fewer (a shorter period) or as CSV.</source>
        <translation>Excel のシートに入るのは %1 行までです。期間を短くするか、CSV で書き出してください。</translation>
    </message>
    <message>
        <source>The database could not be read; details are in the log.</source>
        <translation>データベースを読めませんでした。詳細はログにあります。</translation>
    </message>
    <message>
        <source>The export failed; details are in the log.</source>
        <translation>書き出しに失敗しました。詳細はログにあります。</translation>
    </message>
</context>
<context>
    <name>ExportValues</name>
    <message>
        <source>Customer&apos;s words</source>
        <translation>お客様の発言</translation>
    </message>
    <message>
        <source>Agent note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>Fact</source>
        <translation>事実</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>要望</translation>
    </message>
    <message>
        <source>Promise</source>
        <translation>約束</translation>
    </message>
    <message>
        <source>suspected</source>
        <translation>疑い(未確認)</translation>
    </message>
    <message>
        <source>confirmed</source>
        <translation>カスハラと確認</translation>
    </message>
    <message>
        <source>dismissed</source>
        <translation>疑いを取り消し</translation>
    </message>
    <message>
        <source>flagged by the agent</source>
        <translation>オペレーターが指摘</translation>
    </message>
</context>
<context>
    <name>FlagReview</name>
    <message>
        <source>No suspected flag left to review</source>
        <translation>確認待ちのカスハラの疑いはありません</translation>
    </message>
    <message>
        <source>No statement to flag yet</source>
        <translation>指摘できる発言がまだありません</translation>
    </message>
    <message>
        <source>✓ Confirmed: %1</source>
        <translation>✓ カスハラと確認: %1</translation>
    </message>
    <message>
        <source>✓ Dismissed: %1</source>
        <translation>✓ 疑いを取り消し: %1</translation>
    </message>
    <message>
        <source>✓ Flagged: %1</source>
        <translation>✓ 要注意発言として指摘: %1</translation>
    </message>
    <message>
        <source>Flag as…</source>
        <translation>要注意発言として指摘…</translation>
    </message>
    <message>
        <source>Confirm: %1 (%2)</source>
        <translation>カスハラと確認: %1 (%2)</translation>
    </message>
    <message>
        <source>Dismiss: %1 (%2)</source>
        <translation>疑いを取り消す: %1 (%2)</translation>
    </message>
</context>
<context>
    <name>HandBar</name>
    <message>
        <source>Hand</source>
        <translation>挙手</translation>
    </message>
    <message>
        <source>Raise or lower your hand: the supervisors&apos; board shows it (%1)</source>
        <translation>挙手する・下ろす: SVボードに表示されます (%1)</translation>
    </message>
    <message>
        <source>Lower hand</source>
        <translation>手を下ろす</translation>
    </message>
    <message>
        <source>Esc: no reason</source>
        <translation>Esc: 理由なし</translation>
    </message>
    <message>
        <source>Supervisor %1: %2</source>
        <translation>SV %1: %2</translation>
    </message>
    <message>
        <source>Hand raised%1 — on the supervisors&apos; board</source>
        <translation>挙手中%1 — SVボードに届いています</translation>
    </message>
    <message>
        <source>Hand raised%1 — NOT delivered: the server cannot be reached. Raise your hand for real.</source>
        <translation>挙手中%1 — 届いていません: サーバーに接続できません。実際に手を挙げてください。</translation>
    </message>
    <message>
        <source>Hand raised%1 — not delivered yet</source>
        <translation>挙手中%1 — まだ届いていません</translation>
    </message>
</context>
<context>
    <name>HandoffBar</name>
    <message>
        <source>Name of the senior taking over… Enter</source>
        <translation>引き継ぐ上司のお名前… Enter</translation>
    </message>
    <message>
        <source>Handoff copied.</source>
        <translation>引き継ぎをコピーしました。</translation>
    </message>
    <message>
        <source>✓ Handoff summary copied to the clipboard</source>
        <translation>✓ 引き継ぎの要約をクリップボードにコピーしました</translation>
    </message>
</context>
<context>
    <name>HistoryWindow</name>
    <message>
        <source>Search notes and cases (any part of a word, e.g. 返金)… Ctrl+F</source>
        <translation>メモと案件を検索(語の一部でも可。例: 返金)… Ctrl+F</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>すべての状況</translation>
    </message>
    <message>
        <source>Any handler</source>
        <translation>すべてのオペレーター</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>カスハラの疑いあり</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>二次対応</translation>
    </message>
    <message>
        <source>Open promises</source>
        <translation>未完了の約束</translation>
    </message>
    <message>
        <source>Promise kept (Ctrl+D)</source>
        <translation>約束を完了 (Ctrl+D)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>期間</translation>
    </message>
    <message>
        <source>to</source>
        <translation>〜</translation>
    </message>
    <message>
        <source>Evidence… (%1)</source>
        <translation>記録の出力… (%1)</translation>
    </message>
    <message>
        <source>Choose a case first.</source>
        <translation>先に案件を選んでください。</translation>
    </message>
    <message>
        <source>The history could not be read; details are in the log.</source>
        <translation>履歴を読み込めませんでした。詳細はログにあります。</translation>
    </message>
    <message>
        <source>History</source>
        <translation>履歴</translation>
    </message>
    <message>
        <source>Ctrl+F: search · ↓: to the results · Esc: clear the search</source>
        <translation>Ctrl+F: 検索 · ↓: 結果へ · Esc: 検索を消す</translation>
    </message>
    <message>
        <source>↓ to the results · Enter opens the case · Tab moves on · Esc clears the search · Ctrl+W closes</source>
        <translation>↓ 結果へ · Enter 案件を開く · Tab 次へ · Esc 検索を消す · Ctrl+W 閉じる</translation>
    </message>
    <message>
        <source>%1 results</source>
        <translation>%1 件</translation>
    </message>
    <message>
        <source>The promise could not be marked; details are in the log.</source>
        <translation>約束を完了にできませんでした。詳細はログにあります。</translation>
    </message>
    <message>
        <source>Reading the case…</source>
        <translation>案件を読み込んでいます…</translation>
    </message>
    <message>
        <source>Save the case&apos;s statements confirmed or flagged as harassment by the agent, with their context, as a PDF report or CSV for the company&apos;s legal follow-up</source>
        <translation>オペレーターが確認した、または指摘したカスハラ発言を前後のメモとともに PDF 報告書または CSV として保存します(会社の法的対応のため)</translation>
    </message>
    <message>
        <source>No evidence yet: this case&apos;s flags are only suspected. A suspected flag must be confirmed first (Ctrl+Shift+Y during the call or its wrap-up), or the statement flagged by hand; dismissed flags are no evidence.</source>
        <translation>まだ証拠がありません: この案件のフラグはカスハラの疑いのままです。疑いは先に確認してください(通話中または後処理中に Ctrl+Shift+Y)。または発言を手動で指摘してください。取り消した疑いは証拠になりません。</translation>
    </message>
    <message>
        <source>No evidence: no statement of this case is confirmed or flagged as harassment.</source>
        <translation>証拠がありません: この案件には確認された、または指摘されたカスハラ発言がありません。</translation>
    </message>
    <message>
        <source>Save the evidence of case #%1</source>
        <translation>案件 #%1 の記録を保存</translation>
    </message>
    <message>
        <source>PDF report (*.pdf)</source>
        <translation>PDF 報告書 (*.pdf)</translation>
    </message>
    <message>
        <source>CSV for spreadsheets (*.csv)</source>
        <translation>表計算用 CSV (*.csv)</translation>
    </message>
    <message>
        <source>Both: PDF report and CSV, same name (*.pdf *.csv)</source>
        <translation>両方: 同じ名前の PDF 報告書と CSV (*.pdf *.csv)</translation>
    </message>
    <message>
        <source>Saving the evidence…</source>
        <translation>記録を保存中…</translation>
    </message>
    <message>
        <source>The evidence could not be read from the database; details are in the log.</source>
        <translation>データベースから記録を読めませんでした。詳細はログにあります。</translation>
    </message>
    <message>
        <source>The evidence could not be saved as %1: %2</source>
        <translation>記録を %1 として保存できませんでした: %2</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 を保存しました</translation>
    </message>
</context>
<context>
    <name>HorizontalBarChart</name>
    <message numerus="yes">
        <source>+%n more</source>
        <translation>
            <numerusform>ほか%n件</numerusform>
        </translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目標</translation>
    </message>
    <message>
        <source>Over target</source>
        <translation>目標超過</translation>
    </message>
    <message>
        <source>Target: %1</source>
        <translation>目標: %1</translation>
    </message>
    <message>
        <source>Over target by %1</source>
        <translation>目標を %1 超過</translation>
    </message>
</context>
<context>
    <name>NoteEntry</name>
    <message>
        <source>15:00, in 30 min, tomorrow 10…</source>
        <translation>15時、30分後、明日10時…</translation>
    </message>
    <message>
        <source>When the promise falls due, as you would say it: 30分後, 15時, 15:30, 明日10時, 今日中 (by 18:00), 明日午前 (by noon), 12/5 14時, in 30 min, tomorrow 10</source>
        <translation>約束の期限を話すとおりに入力: 30分後、15時、15:30、明日10時、今日中（18:00まで）、明日午前（正午まで）、12/5 14時</translation>
    </message>
    <message>
        <source>%1 is past</source>
        <translation>%1 は過ぎています</translation>
    </message>
    <message>
        <source>Not saved: %1 is already past. Give a later time, e.g. 明日10時 or tomorrow 10.</source>
        <translation>保存していません: %1 はすでに過ぎています。明日10時 のように、これから先の時刻を入力してください。</translation>
    </message>
    <message>
        <source>when?</source>
        <translation>期限は？</translation>
    </message>
    <message>
        <source>Not saved: say when the promise falls due, e.g. 15時, 30分後, 明日午前.</source>
        <translation>保存していません: 約束の期限を入力してください（例: 15時、30分後、明日午前）。</translation>
    </message>
    <message>
        <source>Not saved: the due time names a day or hour that does not exist.</source>
        <translation>保存していません: 期限の日付または時刻が存在しません。</translation>
    </message>
    <message>
        <source>Not saved: the due time is not understood. Try 15時, 15:30, 30分後, 明日10時, 今日中, 12/5 14時.</source>
        <translation>保存していません: 期限を読み取れません。15時、15:30、30分後、明日10時、今日中、12/5 14時 のように入力してください。</translation>
    </message>
    <message>
        <source>in 1 hour</source>
        <translation>1時間後</translation>
    </message>
    <message>
        <source>The customer&apos;s exact words… Enter saves</source>
        <translation>お客様の言葉をそのまま… Enterで保存</translation>
    </message>
    <message>
        <source>%1… Enter saves</source>
        <translation>%1… Enterで保存</translation>
    </message>
    <message>
        <source>Correcting the note at %1 — Enter saves, Esc cancels, Ctrl+Delete deletes it</source>
        <translation>%1 のメモを訂正中 — Enter で保存、Esc で取り消し、Ctrl+Delete で削除</translation>
    </message>
    <message>
        <source>Correction cancelled</source>
        <translation>訂正を取り消しました</translation>
    </message>
</context>
<context>
    <name>NotesModel</name>
    <message>
        <source>Request: %1 — check its validity with the supervisor</source>
        <translation>要望: %1 — 妥当性を上司と確認</translation>
    </message>
    <message>
        <source>Request: %1</source>
        <translation>要望: %1</translation>
    </message>
    <message>
        <source>Due %1</source>
        <translation>期限 %1</translation>
    </message>
</context>
<context>
    <name>OptionalDateEdit</name>
    <message>
        <source>any</source>
        <translation>指定なし</translation>
    </message>
</context>
<context>
    <name>PastContactsModel</name>
    <message>
        <source>(no subject)</source>
        <translation>(件名なし)</translation>
    </message>
</context>
<context>
    <name>PromiseReminders</name>
    <message>
        <source>Promise due (%1)</source>
        <translation>約束の期限です(%1 件)</translation>
    </message>
    <message>
        <source>Promises due: %1 — Ctrl+R lists them</source>
        <translation>期限の来た約束: %1 件 — Ctrl+R で一覧</translation>
    </message>
</context>
<context>
    <name>PromisesModel</name>
    <message>
        <source>Due</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>お客様</translation>
    </message>
    <message>
        <source>Promise</source>
        <translation>約束</translation>
    </message>
    <message>
        <source>Made by</source>
        <translation>約束した人</translation>
    </message>
    <message>
        <source>no due time</source>
        <translation>期限なし</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>場所(&amp;L):</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>ファイルの種類(&amp;T):</translation>
    </message>
</context>
<context>
    <name>RecoveryBanner</name>
    <message>
        <source>Start with an empty database</source>
        <translation>空のデータベースで始める</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>The database&apos;s write-ahead log (%1) is missing: it was deleted, or the file was copied without it. What was saved since CallHelper last opened the file was only in that log, so CallHelper did not use the file. It was moved, unchanged, to:
%3
Restore the latest backup (%2) to continue with your cases, or start with an empty database.</source>
        <translation>データベースの先行書き込みログ(%1)がありません。削除されたか、ログなしでファイルがコピーされました。CallHelper が最後にファイルを開いてから保存した内容はそのログにだけあったため、CallHelper はこのファイルを使いませんでした。ファイルはそのまま次の場所に移しました:
%3
案件の続きを使うには最新のバックアップ(%2)を復元するか、空のデータベースで始めてください。</translation>
    </message>
    <message>
        <source>The database file was damaged, so CallHelper did not use it. It was moved, unchanged, to:
%1
Nothing else is lost: what the file held is still in it. Restore the latest backup (%2) to continue with your cases, or start with an empty database.</source>
        <translation>データベースファイルが壊れていたため、CallHelper は使いませんでした。ファイルはそのまま次の場所に移しました:
%1
ほかに失われたものはありません。ファイルの中身はそのまま残っています。案件の続きを使うには最新のバックアップ(%2)を復元するか、空のデータベースで始めてください。</translation>
    </message>
    <message>
        <source>The database file %1 is missing. Restore the latest backup (%2) to continue with your cases, or start with an empty database.</source>
        <translation>データベースファイル %1 が見つかりません。案件の続きを使うには最新のバックアップ(%2)を復元するか、空のデータベースで始めてください。</translation>
    </message>
    <message>
        <source>Restore the backup of %1</source>
        <translation>%1 のバックアップを復元</translation>
    </message>
    <message>
        <source>The backup of %1 was restored. Of what was saved after it, the file set aside (%2) holds what had reached it before its log was lost.</source>
        <translation>%1 のバックアップを復元しました。それ以降に保存した内容のうち、ログが失われる前にファイルへ書き込まれていた分は、移したファイル(%2)にあります。</translation>
    </message>
    <message>
        <source>The backup of %1 was restored. What was saved after it is only in the damaged file: %2</source>
        <translation>%1 のバックアップを復元しました。それ以降に保存した内容は壊れたファイルにだけあります: %2</translation>
    </message>
    <message>
        <source>The backup of %1 was restored.</source>
        <translation>%1 のバックアップを復元しました。</translation>
    </message>
    <message>
        <source>The database&apos;s write-ahead log (%1) is missing, so the file lacks what was saved since CallHelper last opened it, and CallHelper did not use it. It was moved, unchanged, to:
%2
There is no backup yet, so CallHelper continues with a new, empty database.</source>
        <translation>データベースの先行書き込みログ(%1)がないため、このファイルには CallHelper が最後に開いてから保存した内容が欠けています。CallHelper はこのファイルを使いませんでした。ファイルはそのまま次の場所に移しました:
%2
バックアップがまだないため、新しい空のデータベースで続けます。</translation>
    </message>
    <message>
        <source>The database file was damaged, so CallHelper did not use it. It was moved, unchanged, to:
%1
What it held is still in it. There is no backup yet, so CallHelper continues with a new, empty database.</source>
        <translation>データベースファイルが壊れていたため、CallHelper は使いませんでした。ファイルはそのまま次の場所に移しました:
%1
中身はそのまま残っています。バックアップがまだないため、新しい空のデータベースで続けます。</translation>
    </message>
    <message>
        <source>CallHelper continues with a new, empty database. The backups are still in %1.</source>
        <translation>新しい空のデータベースで続けます。バックアップは %1 に残っています。</translation>
    </message>
    <message>
        <source>The audit trail of the database no longer holds its end as it was recorded outside the file, so entries were removed or the file was replaced or rewritten outside CallHelper:
%1
CallHelper noted this in its log and in the audit trail, kept the old record, and goes on saving. Run &quot;callhelper verify&quot; and tell your supervisor.</source>
        <translation>データベースの監査証跡が、ファイルの外に記録された末尾を保持していません。CallHelper の外で項目が削除されたか、ファイルが置き換えられたか書き換えられた可能性があります:
%1
CallHelper はこのことをログと監査証跡に記録し、以前の記録を保管したうえで保存を続けます。「callhelper verify」を実行し、上司に伝えてください。</translation>
    </message>
    <message>
        <source>The anchor the trail no longer holds is kept in %1.</source>
        <translation>証跡が保持していない末尾の記録(アンカー)は %1 に保管しました。</translation>
    </message>
    <message>
        <source>The audit trail is shorter than when it was last written: %1 entries anchored at %2, %3 now — entries were removed or a write-ahead log was lost.</source>
        <translation>監査証跡が最後に書き込まれた時より短くなっています: %2 にアンカーを記録した時点で %1 件、現在 %3 件。項目が削除されたか、先行書き込みログが失われました。</translation>
    </message>
    <message>
        <source>The audit trail is shorter than %1: %2 entries then, %3 now — entries were removed from its end, or it was emptied or replaced.</source>
        <translation>監査証跡が%1より短くなっています: 当時 %2 件、現在 %3 件。末尾の項目が削除されたか、空にされたか置き換えられました。</translation>
    </message>
    <message>
        <source>The audit trail no longer holds entry #%1 anchored at %2 (%4 entries then, %3 now) — entries were removed and others written in their place.</source>
        <translation>監査証跡に、%2 にアンカーを記録した項目 #%1 がありません(当時 %4 件、現在 %3 件)。項目が削除され、代わりに別の項目が書き込まれました。</translation>
    </message>
    <message>
        <source>The audit trail no longer holds entry #%1 as it was %2 (%4 entries then, %3 now) — the trail was rewritten from that entry on, or replaced.</source>
        <translation>監査証跡に、%2の項目 #%1 がその時のまま残っていません(当時 %4 件、現在 %3 件)。その項目以降の証跡が書き換えられたか、置き換えられました。</translation>
    </message>
    <message>
        <source>%1 does not match its seal: it was rewritten outside CallHelper.</source>
        <translation>%1 が封印と一致しません。CallHelper の外で書き換えられました。</translation>
    </message>
    <message>
        <source>%1 is not sealed, where CallHelper seals it with this account&apos;s key: it was written outside CallHelper.</source>
        <translation>%1 に封印がありません。CallHelper はこのアカウントの鍵で封印するため、CallHelper の外で書き込まれました。</translation>
    </message>
    <message>
        <source>%1 is sealed with another key than this account&apos;s: it was written outside CallHelper, or before this account&apos;s settings folder (which keeps the key) was replaced.</source>
        <translation>%1 はこのアカウントとは別の鍵で封印されています。CallHelper の外で書き込まれたか、このアカウントの設定フォルダ(鍵を保管する場所)が置き換えられる前に書き込まれました。</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>%1 を読み取れません: %2</translation>
    </message>
    <message>
        <source>%1 does not read: it was changed outside CallHelper.</source>
        <translation>%1 を読み取れません。CallHelper の外で変更されました。</translation>
    </message>
    <message>
        <source>The anchor beside the file (%1)</source>
        <translation>ファイルの隣のアンカー(%1)</translation>
    </message>
    <message>
        <source>The anchor kept aside in %1</source>
        <translation>%1 に保管したアンカー</translation>
    </message>
    <message>
        <source>Line %1 of %2</source>
        <translation>%2 の %1 行目</translation>
    </message>
    <message>
        <source>at the backup %1 of %2 (recorded in %3)</source>
        <translation>%2 のバックアップ %1 の時点(%3 に記録)</translation>
    </message>
    <message>
        <source>when the backup %1 was restored at %2 (recorded in %3)</source>
        <translation>%2 にバックアップ %1 を復元した時点(%3 に記録)</translation>
    </message>
    <message>
        <source>when CallHelper noted a trail shorter than its anchors at %2 (recorded in %3)</source>
        <translation>%2 に CallHelper がアンカーより短い証跡を記録した時点(%3 に記録)</translation>
    </message>
    <message>
        <source>when a new database was started at %2 (recorded in %3)</source>
        <translation>%2 に新しいデータベースを開始した時点(%3 に記録)</translation>
    </message>
    <message>
        <source>when it was anchored beside the file at %2 (kept in %1 since CallHelper found the trail did not hold it at %4)</source>
        <translation>%2 にファイルの隣でアンカーを記録した時点(%4 に CallHelper が証跡にないことを見つけてから %1 に保管)</translation>
    </message>
    <message>
        <source>when it was last sent to the team&apos;s server (%2)</source>
        <translation>チームのサーバーに最後に送った時点(%2)</translation>
    </message>
    <message>
        <source>when the end %1 given on the command line was taken</source>
        <translation>コマンドラインで指定した末尾 %1 を取得した時点</translation>
    </message>
    <message>
        <source>when the report %1 was made</source>
        <translation>レポート %1 を作成した時点</translation>
    </message>
    <message>
        <source>when it was anchored beside the file at %2</source>
        <translation>%2 にファイルの隣でアンカーを記録した時点</translation>
    </message>
    <message>
        <source>when it was recorded elsewhere at %2</source>
        <translation>%2 に別の場所で記録した時点</translation>
    </message>
    <message>
        <source>%1 is not a database this version of CallHelper can open: another kind of file, a folder, a device, another program&apos;s database or a newer CallHelper&apos;s. CallHelper did not open it and left it as it is. Correct the database&apos;s path (--data-dir, --database-url, CALLHELPER_DATABASE_URL or the database_url setting) and start CallHelper again.</source>
        <translation>%1 は、このバージョンの CallHelper が開けるデータベースではありません(別の種類のファイル、フォルダー、デバイス、他のプログラムのデータベース、または新しいバージョンの CallHelper のデータベースです)。CallHelper は開かず、そのままにしました。データベースの場所(--data-dir、--database-url、CALLHELPER_DATABASE_URL または設定の database_url)を直してから、CallHelper をもう一度起動してください。</translation>
    </message>
    <message>
        <source>The database cannot be written: %1 (its folder is read-only, or this account may not write to it). Calls can be taken as usual: what is typed is kept in %2 and saved into the database as soon as it can be written (tried every few seconds, and at the next start).</source>
        <translation>データベースに書き込めません: %1（フォルダーが読み取り専用か、このアカウントに書き込む権限がありません）。通話はいつも通り受けられます。入力した内容は %2 に保管し、書き込めるようになり次第データベースに保存します（数秒ごとと、次回の起動時に再試行します）。</translation>
    </message>
    <message>
        <source>The database cannot be written: %1 (its folder is read-only, or this account may not write to it), and what is typed cannot be kept either: %2 cannot be written. Make the data folder writable before taking a call.</source>
        <translation>データベースに書き込めません: %1（フォルダーが読み取り専用か、このアカウントに書き込む権限がありません）。入力した内容を保管することもできません: %2 に書き込めません。通話を受ける前に、データフォルダーを書き込めるようにしてください。</translation>
    </message>
</context>
<context>
    <name>RemindersList</name>
    <message>
        <source>Promises due (%1) — Enter opens the case, Esc closes</source>
        <translation>期限の来た約束（%1 件） — Enter で案件を開く、Esc で閉じる</translation>
    </message>
    <message>
        <source>No promise is due.</source>
        <translation>期限の来た約束はありません。</translation>
    </message>
</context>
<context>
    <name>ResponseBanner</name>
    <message>
        <source>⚠ Call your supervisor NOW — safety first. Do not handle this alone.</source>
        <extracomment>Marks the words to say; symbols a Japanese font has (no emoji, which a desktop without an emoji font draws as empty boxes).</extracomment>
        <translation>⚠ 今すぐ上司(SV)を呼んでください — 安全を最優先に。一人で対応しないでください。</translation>
    </message>
    <message>
        <source>⚠ Consider handing over: %1 — Ctrl+E copies the handoff</source>
        <translation>⚠ 二次対応を検討: %1 — Ctrl+E で引き継ぎをコピー</translation>
    </message>
    <message>
        <source>, </source>
        <translation>・</translation>
    </message>
    <message>
        <source>The limit: %1 of talk time (hold time not counted); talked so far: %2</source>
        <translation>上限: 通話時間 %1(保留の時間は数えない)。ここまでの通話時間: %2</translation>
    </message>
</context>
<context>
    <name>ReviewCasesModel</name>
    <message>
        <source>Source</source>
        <extracomment>Marks a prevention item done in the call window&apos;s database (see ReviewWindow).</extracomment>
        <translation>取得元</translation>
    </message>
</context>
<context>
    <name>ReviewWindow</name>
    <message>
        <source>Every agent</source>
        <translation>すべてのオペレーター</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>すべての状況</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>カスハラの疑いあり</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>二次対応</translation>
    </message>
    <message>
        <source>Open prevention items</source>
        <translation>未完了の再発防止策</translation>
    </message>
    <message>
        <source>Cases with a prevention measure not marked done yet, resolved or not</source>
        <translation>再発防止策が完了になっていない案件(解決済みの案件も含む)</translation>
    </message>
    <message>
        <source>Prevention done (Ctrl+D)</source>
        <translation>再発防止 完了 (Ctrl+D)</translation>
    </message>
    <message>
        <source>Mark the selected case&apos;s prevention item done: the change it names is made</source>
        <translation>選んだ案件の再発防止策を完了にします(書かれた改善が実施された)</translation>
    </message>
    <message>
        <source>Add files… (Ctrl+O)</source>
        <translation>ファイルを追加… (Ctrl+O)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>期間</translation>
    </message>
    <message>
        <source>to</source>
        <translation>〜</translation>
    </message>
    <message>
        <source>Calls per day</source>
        <translation>1日あたりの通話数</translation>
    </message>
    <message>
        <source>Time per checklist step (median) against its target</source>
        <translation>チェックリストの各ステップの所要時間(中央値)と目標</translation>
    </message>
    <message>
        <source>Escalation rate per week</source>
        <translation>週ごとのエスカレーション率</translation>
    </message>
    <message>
        <source>Flagged statements per category</source>
        <translation>区分ごとのハラスメント発言数</translation>
    </message>
    <message>
        <source>Open prevention items by age</source>
        <translation>経過日数別の未完了の再発防止策</translation>
    </message>
    <message>
        <source>Most frequent subjects per week</source>
        <translation>週ごとの多い件名</translation>
    </message>
    <message>
        <source>What the agents made of the detector&apos;s flags, per category: a flag is suspected until an agent confirms or dismisses it. The confirmation rate (confirmed of those reviewed) is the detector&apos;s precision as the floor sees it; flags added by hand are statements it missed.</source>
        <translation>自動検出したカスハラの疑いを、オペレーターがどう判断したかを区分ごとに示します。オペレーターが確認または取り消すまでは疑いのままです。確認率(確認・取り消しのうち確認の割合)は、現場から見た自動検出の精度です。オペレーターが指摘した発言は、自動検出が見落としたものです。</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>集計</translation>
    </message>
    <message>
        <source>Flag reviews</source>
        <translation>カスハラの疑いの確認</translation>
    </message>
    <message>
        <source>Add agents&apos; database files</source>
        <translation>オペレーターのデータベースファイルを追加</translation>
    </message>
    <message>
        <source>CallHelper databases (*.db *.sqlite *.sqlite3)</source>
        <translation>CallHelper データベース (*.db *.sqlite *.sqlite3)</translation>
    </message>
    <message>
        <source>Checking the audit trails…</source>
        <translation>監査記録を確認中…</translation>
    </message>
    <message>
        <source>The files could not be read: %1</source>
        <translation>ファイルを読めませんでした: %1</translation>
    </message>
    <message>
        <source>Review (read-only)</source>
        <translation>振り返り(閲覧のみ)</translation>
    </message>
    <message>
        <source>Enter opens the case · Tab moves on · Ctrl+1/2/3: the tabs · Ctrl+W closes</source>
        <translation>Enter 案件を開く · Tab 次へ · Ctrl+1/2/3: タブ · Ctrl+W 閉じる</translation>
    </message>
    <message>
        <source>Live board (Ctrl+B)</source>
        <translation>SVボード (Ctrl+B)</translation>
    </message>
    <message>
        <source>Review (read-only): %1</source>
        <translation>振り返り(閲覧のみ): %1</translation>
    </message>
    <message>
        <source>no files</source>
        <translation>ファイルなし</translation>
    </message>
    <message>
        <source>The audit trails could not be checked: %1</source>
        <translation>監査記録を確認できませんでした: %1</translation>
    </message>
    <message>
        <source>%1: audit trail intact (%2 entries)</source>
        <translation>%1: 監査記録は正常です(%2 件)</translation>
    </message>
    <message>
        <source>entry #%1 was changed outside CallHelper</source>
        <translation>記録 #%1 が CallHelper の外で変更されました</translation>
    </message>
    <message>
        <source>entries before #%1 were removed or inserted outside CallHelper</source>
        <translation>#%1 より前の記録が CallHelper の外で削除または挿入されました</translation>
    </message>
    <message>
        <source>%2 %3 was changed outside CallHelper (%4)</source>
        <translation>%2 %3 が CallHelper の外で変更されました(%4)</translation>
    </message>
    <message>
        <source>%2 %3 was added outside CallHelper</source>
        <translation>%2 %3 が CallHelper の外で追加されました</translation>
    </message>
    <message>
        <source>%2 %3 was deleted outside CallHelper</source>
        <translation>%2 %3 が CallHelper の外で削除されました</translation>
    </message>
    <message>
        <source>the history of %2 %3 was emptied outside CallHelper</source>
        <translation>%2 %3 の履歴が CallHelper の外で消されました</translation>
    </message>
    <message>
        <source>note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>flag decision</source>
        <translation>カスハラの疑いへの判断</translation>
    </message>
    <message>
        <source>prevention item done in case</source>
        <translation>再発防止の完了記録(案件)</translation>
    </message>
    <message>
        <source>case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>%1: AUDIT TRAIL BROKEN: %2</source>
        <translation>%1: 監査記録が壊れています: %2</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>The cases could not be read: %1</source>
        <translation>案件を読めませんでした: %1</translation>
    </message>
    <message>
        <source>%1 cases</source>
        <translation>%1 件</translation>
    </message>
    <message>
        <source>Escalation rate per week (overall %1%)</source>
        <translation>週ごとのエスカレーション率(全体 %1%)</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>区分</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>確認</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>取り消し</translation>
    </message>
    <message>
        <source>Added by hand</source>
        <translation>オペレーターが指摘</translation>
    </message>
    <message>
        <source>Not reviewed</source>
        <translation>未確認</translation>
    </message>
    <message>
        <source>Confirmation rate</source>
        <translation>確認率</translation>
    </message>
    <message>
        <source>wk %1</source>
        <translation>%1 週</translation>
    </message>
    <message>
        <source>%1–%2 days</source>
        <translation>%1〜%2日</translation>
    </message>
    <message>
        <source>%1+ days</source>
        <translation>%1日以上</translation>
    </message>
    <message>
        <source>The case could not be read.</source>
        <translation>案件を読めませんでした。</translation>
    </message>
    <message>
        <source>Select a case first.</source>
        <translation>先に案件を選んでください。</translation>
    </message>
    <message>
        <source>This case has no open prevention item.</source>
        <translation>この案件に未完了の再発防止策はありません。</translation>
    </message>
    <message>
        <source>Only the cases of this computer&apos;s own database can be marked here; mark this one in the CallHelper of the agent whose database holds it.</source>
        <translation>ここで完了にできるのは、このパソコンのデータベースの案件だけです。この案件は、そのデータベースを使うオペレーターの CallHelper で完了にしてください。</translation>
    </message>
    <message>
        <source>✓ Prevention item marked done</source>
        <translation>✓ 再発防止策を完了にしました</translation>
    </message>
</context>
<context>
    <name>RingingPage</name>
    <message>
        <source>Caller&apos;s number (optional)</source>
        <translation>お客様の電話番号(任意)</translation>
    </message>
    <message>
        <source>Caller&apos;s name (optional)</source>
        <translation>お客様のお名前(任意)</translation>
    </message>
    <message>
        <source>We call the customer (callback)</source>
        <translation>こちらから発信(折り返し)</translation>
    </message>
    <message>
        <source>An outgoing call does not count as the customer calling again</source>
        <translation>こちらからの発信は、お客様からの再入電として数えません</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>お名前</translation>
    </message>
    <message>
        <source>Playbook</source>
        <translation>対応手順</translation>
    </message>
    <message>
        <source>Press F7 (or Enter here) when the call is answered.</source>
        <translation>電話に出たら F7(またはここで Enter)で開始します。</translation>
    </message>
    <message>
        <source>Playbook not loaded: %1</source>
        <translation>対応手順を読み込めませんでした: %1</translation>
    </message>
</context>
<context>
    <name>SearchModel</name>
    <message>
        <source>When</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>場所</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Customer&apos;s words</source>
        <translation>発言「」</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>対処</translation>
    </message>
    <message>
        <source>Prevention</source>
        <translation>再発防止</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>システムと同じ</translation>
    </message>
    <message>
        <source>Keep the call window above other windows</source>
        <translation>通話ウィンドウを常に最前面に表示する</translation>
    </message>
    <message>
        <source>The name is recorded on every call and note from the next call on. A new language is used from the next start.</source>
        <translation>オペレーター名は次の通話から、すべての通話とメモに記録されます。言語の変更は次回の起動から反映されます。</translation>
    </message>
    <message>
        <source>Agent name</source>
        <translation>オペレーター名</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>Receive call events from the phone system</source>
        <translation>電話システムから通話のイベントを受け取る</translation>
    </message>
    <message>
        <source>Shown once the endpoint is on</source>
        <translation>受け付けを有効にすると表示されます</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <source>Copy the address to the clipboard</source>
        <translation>アドレスをクリップボードにコピー</translation>
    </message>
    <message>
        <source>New token</source>
        <translation>新しいトークン</translation>
    </message>
    <message>
        <source>Make a new secret address; the phone system must then be given the new one</source>
        <translation>新しい秘密のアドレスを作ります。電話システムには新しいアドレスを設定し直す必要があります</translation>
    </message>
    <message>
        <source>Give the address to the phone system (Zammad&apos;s generic CTI interface): it posts each call&apos;s ringing, answer and hang-up there. Only programs on this computer can reach it.</source>
        <translation>このアドレスを電話システム(Zammad の汎用 CTI インターフェース)に設定すると、着信・応答・終話をそこへ送ってきます。このコンピューター上のプログラムからしか届きません。</translation>
    </message>
    <message>
        <source>Phone system</source>
        <translation>電話システム</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
</context>
<context>
    <name>StackedBarChart</name>
    <message>
        <source>Total</source>
        <translation>合計</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>Ctrl+digit tick · Ctrl+E handoff</source>
        <translation>Ctrl+数字 チェック · Ctrl+E 引き継ぎ</translation>
    </message>
    <message>
        <source>Not saved yet: another program is using the database. %1 waiting, retried every few seconds.</source>
        <translation>まだ保存されていません: 別のプログラムがデータベースを使っています。%1 件が待機中で、数秒ごとに再試行します。</translation>
    </message>
    <message>
        <source>Not saved yet: the disk is full. Free some space; %1 waiting, retried every few seconds.</source>
        <translation>まだ保存されていません: ディスクがいっぱいです。空きを作ってください。%1 件が待機中で、数秒ごとに再試行します。</translation>
    </message>
    <message>
        <source>Not saved yet: the data folder is read-only or cannot be written. %1 waiting, retried every few seconds.</source>
        <translation>まだ保存されていません: データフォルダーが読み取り専用か、書き込めません。%1 件が待機中で、数秒ごとに再試行します。</translation>
    </message>
    <message>
        <source>Not saved yet: the database is busy or cannot be written. %1 waiting, retried every few seconds.</source>
        <translation>まだ保存されていません: データベースが使用中か書き込めません。%1 件を保持し、数秒ごとに再試行します。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>保存中…</translation>
    </message>
    <message>
        <source>✓ Everything is saved</source>
        <translation>✓ すべて保存しました</translation>
    </message>
    <message>
        <source>%1 waiting</source>
        <translation>%1 件待機中</translation>
    </message>
</context>
<context>
    <name>SyncLabel</name>
    <message>
        <source>⚠ %1 refused by the server</source>
        <translation>⚠ %1 件がサーバーに拒否されました</translation>
    </message>
    <message>
        <source>The server refused %1 changes. They are kept on this computer and tried again at the next start; details are in the log.</source>
        <translation>サーバーが %1 件の変更を拒否しました。このコンピューターに保存してあり、次回の起動時にもう一度送ります。詳細はログにあります。</translation>
    </message>
    <message>
        <source>⚠ Server login refused</source>
        <translation>⚠ サーバーへのログインが拒否されました</translation>
    </message>
    <message>
        <source>The server refuses this login: run “callhelper team login” again. %1 changes are safe on this computer and will be sent.</source>
        <translation>サーバーがこのログインを拒否しています。「callhelper team login」をもう一度実行してください。%1 件の変更はこのコンピューターに安全に保存されており、後で送信されます。</translation>
    </message>
    <message>
        <source>Server offline: %1 kept here</source>
        <translation>サーバー未接続: %1 件をこの PC に保存中</translation>
    </message>
    <message>
        <source>The server cannot be reached. %1 changes are safe on this computer and will be sent when it is back.</source>
        <translation>サーバーに接続できません。%1 件の変更はこのコンピューターに安全に保存されており、接続が戻りしだい送信されます。</translation>
    </message>
    <message>
        <source>%1 waiting for the server</source>
        <translation>%1 件がサーバーへの送信待ち</translation>
    </message>
    <message>
        <source>%1 changes are being sent to the server.</source>
        <translation>%1 件の変更をサーバーに送信しています。</translation>
    </message>
    <message>
        <source>✓ Synced</source>
        <translation>✓ 同期済み</translation>
    </message>
    <message>
        <source>Everything is on the server.</source>
        <translation>すべてサーバーに届いています。</translation>
    </message>
</context>
<context>
    <name>TimelineRenderer</name>
    <message>
        <source>(no subject)</source>
        <translation>(件名なし)</translation>
    </message>
    <message>
        <source>Calls: %1</source>
        <translation>通話 %1 件</translation>
    </message>
    <message>
        <source>Fix:</source>
        <translation>対処:</translation>
    </message>
    <message>
        <source>Prevention:</source>
        <translation>再発防止:</translation>
    </message>
    <message>
        <source>senior</source>
        <translation>上司</translation>
    </message>
    <message>
        <source>not assessed</source>
        <translation>未確認</translation>
    </message>
    <message>
        <source>Urgency: %1 · Impact: %2</source>
        <translation>緊急度: %1 · 重要度: %2</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>二次対応</translation>
    </message>
    <message>
        <source>edited by %1 at %2; before: %3</source>
        <translation>%2 に %1 が訂正。訂正前: %3</translation>
    </message>
    <message>
        <source>%1 raised a hand</source>
        <translation>%1 が挙手</translation>
    </message>
    <message>
        <source>answered by %1 after %2: %3</source>
        <translation>%2 後に SV %1 が応答: %3</translation>
    </message>
    <message>
        <source>lowered after %1 without an answer</source>
        <translation>応答のないまま %1 後に下ろしました</translation>
    </message>
    <message>
        <source>no answer yet</source>
        <translation>まだ応答はありません</translation>
    </message>
    <message>
        <source>deleted by %1 at %2</source>
        <translation>%2 に %1 が削除</translation>
    </message>
    <message>
        <source>%1 (target %2)</source>
        <translation>%1(目標 %2)</translation>
    </message>
    <message>
        <source>(kept: %1, %2)</source>
        <translation>(完了: %1 %2)</translation>
    </message>
    <message>
        <source>(open, due %1)</source>
        <translation>(未完了・期限 %1)</translation>
    </message>
    <message>
        <source>(open)</source>
        <translation>(未完了)</translation>
    </message>
</context>
<context>
    <name>WindowOpener</name>
    <message>
        <source>Export opens between calls.</source>
        <translation>書き出しは通話と通話の間に開けます。</translation>
    </message>
    <message>
        <source>Settings open between calls.</source>
        <translation>設定は通話と通話の間に開けます。</translation>
    </message>
</context>
<context>
    <name>WrapUpPanel</name>
    <message>
        <source>What the call was about</source>
        <translation>お問い合わせの件名</translation>
    </message>
    <message>
        <source>What is done for this customer</source>
        <translation>このお客様への対処(善後策)</translation>
    </message>
    <message>
        <source>What changes so that it cannot happen again</source>
        <translation>同じことが起きないための仕組みの変更</translation>
    </message>
    <message>
        <source>Save and close the call (Ctrl+S)</source>
        <translation>保存して通話を閉じる (Ctrl+S)</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>Urgency Alt+U</source>
        <translation>緊急度 Alt+U</translation>
    </message>
    <message>
        <source>Impact Alt+I</source>
        <translation>重要度 Alt+I</translation>
    </message>
    <message>
        <source>Fix</source>
        <translation>対処</translation>
    </message>
    <message>
        <source>Prevention</source>
        <translation>再発防止</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状況</translation>
    </message>
    <message>
        <source>Wrap-up</source>
        <translation>後処理</translation>
    </message>
    <message>
        <source>not assessed</source>
        <translation>未確認</translation>
    </message>
    <message>
        <source>Enter a subject before closing the call.</source>
        <translation>閉じる前に件名を入力してください。</translation>
    </message>
</context>
<context>
    <name>flags</name>
    <message>
        <source>⚠ suspected: %1 → empathise, do not accept, do not argue, record verbatim, escalate</source>
        <translation>⚠ カスハラの疑い: %1 → 共感する・受け入れない・反論しない・そのまま記録・上司へ</translation>
    </message>
    <message>
        <source>⚠ suspected: %1</source>
        <translation>⚠ カスハラの疑い: %1</translation>
    </message>
    <message>
        <source>⚠ confirmed: %1 (%2)</source>
        <translation>⚠ 確認されたカスハラ: %1(%2)</translation>
    </message>
    <message>
        <source>⚠ flagged by the agent: %1 (%2)</source>
        <translation>⚠ オペレーターが指摘: %1(%2)</translation>
    </message>
    <message>
        <source>dismissed: %1 (%2)</source>
        <translation>疑いを取り消し: %1(%2)</translation>
    </message>
</context>
<context>
    <name>hand</name>
    <message>
        <source>Harassment</source>
        <extracomment>How long the list of reasons waits for a key before it closes by itself.</extracomment>
        <translation>カスハラ</translation>
    </message>
    <message>
        <source>Decision needed</source>
        <translation>判断が必要</translation>
    </message>
    <message>
        <source>Long call</source>
        <translation>長時間</translation>
    </message>
    <message>
        <source>Other</source>
        <comment>a reason for a raised hand</comment>
        <translation>その他</translation>
    </message>
    <message>
        <source>I&apos;m coming</source>
        <translation>今行きます</translation>
    </message>
    <message>
        <source>Put the customer on hold and wait</source>
        <translation>保留にして待ってください</translation>
    </message>
    <message>
        <source>I&apos;ll take over</source>
        <translation>引き継ぎます</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <source>Customer&apos;s words</source>
        <translation>発言「」</translation>
    </message>
    <message>
        <source>Agent note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>Fact</source>
        <translation>事実</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>要望</translation>
    </message>
    <message>
        <source>Promise</source>
        <translation>約束</translation>
    </message>
    <message>
        <source>[Note]</source>
        <translation>[メモ]</translation>
    </message>
    <message>
        <source>[Fact]</source>
        <translation>[事実]</translation>
    </message>
    <message>
        <source>[Request]</source>
        <translation>[要望]</translation>
    </message>
    <message>
        <source>[Promise]</source>
        <translation>[約束]</translation>
    </message>
    <message>
        <source>(%1 characters in all)</source>
        <extracomment>How much of a very long note a list shows (laying out megabytes would stall the window).</extracomment>
        <translation>(全 %1 文字)</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>対応中</translation>
    </message>
    <message>
        <source>Callback due</source>
        <translation>折り返し待ち</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>解決済み</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>「%1」</translation>
    </message>
</context>
</TS>
