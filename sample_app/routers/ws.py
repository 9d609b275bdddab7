"""Websocket echo endpoint."""

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from sample_app.deps import SettingsDep

router = APIRouter()


@router.websocket("/ws/echo")
async def echo(websocket: WebSocket, settings: SettingsDep) -> None:
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"{settings.app_name}: {text}")
    except WebSocketDisconnect:
        return
